# Golden values for the agreement intervals of deliberval.analysis.agreement (issue 19):
#  * Cohen's kappa and weighted kappa with the large-sample standard error of Fleiss, Cohen &
#    Everitt (1969): vcd::Kappa (value, ASE) and vcd's confint (kappa -/+ z ASE, limited to
#    [-1, 1]), linear ("Equal-Spacing") and quadratic ("Fleiss-Cohen") weights;
#  * Gwet's AC1 / AC2 for several raters with missing ratings: irrCAC's gwet.ac1.raw (R/agree.coeff3.raw.r)
#    on Krippendorff's (2011) published example (4 coders x 12 units, values 1-5, gaps): the
#    estimate from its unrounded pa and pe, the standard error as irrCAC prints it (5 decimals);
#  * psych 2.2.9 cohen.kappa's weighted-kappa interval (quadratic weights; statistic
#    cohen_kappa_weighted, weights "psych"), non-textbook: zero width on the skewed 3 x 3 table;
#  * Gwet's AC1 (identity weights) and AC2 (linear / quadratic weights), their standard error
#    and t(n - 1) interval: irrCAC's gwet.ac1.table (Gwet 2008; irrCAC 1.4, the package's
#    R/agree.coeff2.r and R/weights.gen.r, sourced from the directory in IRRCAC_R because the
#    package is not on CRAN for R 4.2 here; with irrCAC installed, library(irrCAC) is used).
# Tables: vcd's SexualFun (Hout et al. 1987) and MSPatients (Landis & Koch 1977, Winnipeg and
# New Orleans patients), and two skewed coding tables written here (uptake codes are skewed).
#
# Run from anywhere:  IRRCAC_R=/path/to/irrCAC/R Rscript tests/reference/uptake/generate_agreement_variance.R
# Writes next to itself: agreement_tables.csv (the tables, long), agreement_variance_golden.csv.
suppressPackageStartupMessages({library(vcd); library(psych)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
if (requireNamespace("irrCAC", quietly = TRUE)) {
  suppressPackageStartupMessages(library(irrCAC))
  irr_version <- as.character(packageVersion("irrCAC"))
} else {
  src <- Sys.getenv("IRRCAC_R")
  source(file.path(src, "weights.gen.r"))
  source(file.path(src, "agree.coeff2.r"))
  source(file.path(src, "agree.coeff3.raw.r"))
  irr_version <- "1.4 (sourced R/agree.coeff2.r, R/agree.coeff3.raw.r, R/weights.gen.r)"
}

tables <- list(
  sexual_fun = unclass(SexualFun),
  ms_winnipeg = unclass(MSPatients[, , "Winnipeg"]),
  ms_new_orleans = unclass(MSPatients[, , "New Orleans"]),
  # 80 responses, three ordered codes, nearly all "implemented"
  skewed_3 = matrix(c(2, 1, 0,
                      1, 3, 2,
                      0, 2, 69), 3, byrow = TRUE),
  # Gwet's kappa paradox: 96 % agreement, kappa near 0
  skewed_2 = matrix(c(118, 3,
                      2, 2), 2, byrow = TRUE)
)

rows <- list(); long <- list()
for (nm in names(tables)) {
  x <- tables[[nm]]
  dimnames(x) <- NULL
  k <- nrow(x); n <- sum(x)
  long[[nm]] <- data.frame(case = nm, row = rep(seq_len(k), times = k),
                           col = rep(seq_len(k), each = k), count = as.vector(x))
  for (w in c("linear", "quadratic")) {
    kap <- Kappa(x, weights = if (w == "linear") "Equal-Spacing" else "Fleiss-Cohen")
    ci <- confint(kap)
    if (w == "linear") {
      rows[[length(rows) + 1]] <- data.frame(case = nm, statistic = "cohen_kappa", weights = "none",
        estimate = kap$Unweighted[["value"]], se = kap$Unweighted[["ASE"]],
        ci_low = ci[1, 1], ci_high = ci[1, 2], n = n)
    }
    rows[[length(rows) + 1]] <- data.frame(case = nm, statistic = "cohen_kappa_weighted", weights = w,
      estimate = kap$Weighted[["value"]], se = kap$Weighted[["ASE"]],
      ci_low = ci[2, 1], ci_high = ci[2, 2], n = n)
  }
  if (k > 2) {
    ck <- cohen.kappa(x)
    rows[[length(rows) + 1]] <- data.frame(case = nm, statistic = "cohen_kappa_weighted",
      weights = "psych", estimate = ck$confid[2, 2], se = sqrt(ck$var.weighted),
      ci_low = ck$confid[2, 1], ci_high = ck$confid[2, 3], n = n)
  }
  for (w in c("none", "linear", "quadratic")) {
    W <- switch(w, none = identity.weights(1:k), linear = linear.weights(1:k),
                quadratic = quadratic.weights(1:k))
    g <- gwet.ac1.table(x, weights = W)
    tq <- qt(0.975, n - 1)
    rows[[length(rows) + 1]] <- data.frame(case = nm,
      statistic = if (w == "none") "gwet_ac1" else "gwet_ac2", weights = w,
      estimate = g$coeff.val, se = g$coeff.se,
      ci_low = g$coeff.val - tq * g$coeff.se, ci_high = min(1, g$coeff.val + tq * g$coeff.se), n = n)
  }
}
kripp <- cbind(A = c(1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA),
               B = c(1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3),
               C = c(NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA),
               D = c(1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA))
for (w in c("unweighted", "linear", "quadratic")) {
  g <- gwet.ac1.raw(kripp, weights = w, categ.labels = 1:5)$est
  rows[[length(rows) + 1]] <- data.frame(case = "krippendorff_2011",
    statistic = if (w == "unweighted") "gwet_ac1" else "gwet_ac2",
    weights = if (w == "unweighted") "none" else w,
    estimate = (g$pa - g$pe) / (1 - g$pe), se = g$coeff.se, ci_low = NA, ci_high = NA, n = 12)
}
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }
write.csv(do.call(rbind, long), file.path(here, "agreement_tables.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, rows)), file.path(here, "agreement_variance_golden.csv"), row.names = FALSE)
cat(R.version.string, "vcd", as.character(packageVersion("vcd")), "psych",
    as.character(packageVersion("psych")), "irrCAC", irr_version, "\n")
