# Golden values for replicate-weight designs in deliberval.analysis.survey (issue 19):
# replicate_weights() (as.svrepdesign) and survey_mean / survey_total / survey_ratio /
# survey_quantile(..., replicates=ReplicateDesign(...)) (svrepdesign), R survey 4.1.1.
# Data: the survey package's api data already committed under tests/reference/representativeness
# (GPL data from survey, numbers only) and apiclus1_missing.csv (enroll missing in 3 rows).
# Designs (name: how the replicate weights are made):
#   jk1_clus1   as.svrepdesign(svydesign(id=~dnum, weights=~pw, fpc=~fpc, apiclus1), "JK1")
#   jkn_strat   as.svrepdesign(svydesign(id=~1, strata=~stype, weights=~pw, fpc=~fpc, apistrat), "JKn")
#   jkn_strat_mse  the same with mse = TRUE
#   jk1_clus2   as.svrepdesign(svydesign(id=~dnum, weights=~pw, apiclus2), "JK1") (first stage only)
#   boot_strat  as.svrepdesign(dstrat without fpc, "bootstrap", replicates = 50), set.seed(19)
#   boot_default  the same replicate weights given to svrepdesign(type = "bootstrap"): scale 1/(R-1)
#   subboot_clus1 as.svrepdesign(dclus1 without fpc, "subbootstrap", replicates = 40), set.seed(19)
#   brr_pairs / fay_pairs  apiclus2 with its 40 districts paired into 20 pseudo-strata (in order of
#               dnum), as.svrepdesign(type = "BRR") / (type = "Fay", fay.rho = 0.3), then the
#               weights given to svrepdesign(type = "BRR" / "Fay", rho = 0.3)
#   sdr_strat   apistrat in file order, successive-difference factors 1 + 2^-1.5 (a[i+1, r] - a[i+2, r])
#               from the rows of a +-1 Hadamard matrix of order 84 (cycled), svrepdesign(type =
#               "successive-difference") (scale 4 / R)
# Files: replicate_factors_<design>.csv (the replication factors, weights(d, "replication"), to 17
# significant digits; the analysis weights are pw x factor, where as.svrepdesign's pw is 1 / (1 / pw)), replicate_designs.csv (type, scale, rscales, mse, degf),
# replicate_rscales.csv (JKn), replicate_estimates.csv (svymean / svytotal / svyratio with SE and
# confint(), normal interval as survey's default; svyby domain means), replicate_quantiles.csv
# (svyquantile(ci = TRUE, na.rm = TRUE), interval.type "mean" (Woodruff, t on degf of the
# design with the rows observed) and "quantile" (replicate quantiles)).
# Run from anywhere:  Rscript tests/reference/survey_estimates/generate_replicate.R
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
rep_dir <- file.path(here, "..", "representativeness")
f17 <- function(m) { m[] <- sprintf("%.17g", m); m }  # replication factors, exactly
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }
apistrat <- read.csv(file.path(rep_dir, "apistrat.csv"), stringsAsFactors = FALSE)
apiclus1 <- read.csv(file.path(here, "apiclus1_missing.csv"), stringsAsFactors = FALSE)
apiclus2 <- read.csv(file.path(rep_dir, "apiclus2.csv"), stringsAsFactors = FALSE)
dn <- unique(apiclus2$dnum)
apiclus2$pair <- match(apiclus2$dnum, dn) %/% 2 + (match(apiclus2$dnum, dn) %% 2)
apistrat$rowno <- seq_len(nrow(apistrat))
data <- list(jk1_clus1 = apiclus1, jkn_strat = apistrat, jkn_strat_mse = apistrat, jk1_clus2 = apiclus2,
             boot_strat = apistrat, boot_default = apistrat, subboot_clus1 = apiclus1,
             brr_pairs = apiclus2, fay_pairs = apiclus2, sdr_strat = apistrat)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
d <- list()
d$jk1_clus1 <- as.svrepdesign(dclus1, type = "JK1", compress = FALSE)
d$jkn_strat <- as.svrepdesign(dstrat, type = "JKn", compress = FALSE)
d$jkn_strat_mse <- as.svrepdesign(dstrat, type = "JKn", compress = FALSE, mse = TRUE)
d$jk1_clus2 <- as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, data = apiclus2), type = "JK1", compress = FALSE)
set.seed(19)
d$boot_strat <- as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat),
                               type = "bootstrap", replicates = 50, compress = FALSE)
d$boot_default <- svrepdesign(data = apistrat, repweights = as.data.frame(unclass(as.matrix(weights(d$boot_strat, "replication")))),
                              weights = ~pw, type = "bootstrap", combined.weights = FALSE)
set.seed(19)
d$subboot_clus1 <- as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, data = apiclus1),
                                  type = "subbootstrap", replicates = 40, compress = FALSE)
dpair <- svydesign(id = ~dnum, strata = ~pair, weights = ~pw, data = apiclus2)
brr <- as.svrepdesign(dpair, type = "BRR", compress = FALSE)
fay <- as.svrepdesign(dpair, type = "Fay", fay.rho = 0.3, compress = FALSE)
d$brr_pairs <- svrepdesign(data = apiclus2, repweights = as.data.frame(unclass(as.matrix(weights(brr, "replication")))),
                           weights = ~pw, type = "BRR", combined.weights = FALSE)
d$fay_pairs <- svrepdesign(data = apiclus2, repweights = as.data.frame(unclass(as.matrix(weights(fay, "replication")))),
                           weights = ~pw, type = "Fay", rho = 0.3, combined.weights = FALSE)
H <- hadamard(83); H <- H[, seq_len(84)]; if (all(H %in% c(0, 1))) H <- 2 * H - 1
n <- nrow(apistrat); R <- ncol(H)
sdr <- sapply(seq_len(R), function(r) 1 + 2^-1.5 * H[(seq_len(n) %% R) + 1, r] - 2^-1.5 * H[((seq_len(n) + 1) %% R) + 1, r])
d$sdr_strat <- svrepdesign(data = apistrat, repweights = as.data.frame(sdr), weights = ~pw,
                           type = "successive-difference", combined.weights = FALSE)
stopifnot(all(abs(sapply(d[c("brr_pairs", "fay_pairs")], function(x) x$scale) -
                  c(brr$scale, fay$scale)) < 1e-15))

designs <- list(); rsc <- list(); est <- list(); qua <- list()
for (nm in names(d)) {
  des <- d[[nm]]
  f <- unclass(as.matrix(weights(des, "replication"))); attr(f, "class") <- NULL
  colnames(f) <- sprintf("r%d", seq_len(ncol(f)))
  if (!nm %in% c("jkn_strat_mse", "boot_default"))
    write.csv(as.data.frame(f17(f)), file.path(here, sprintf("replicate_factors_%s.csv", nm)), row.names = FALSE,
              quote = FALSE)
  designs[[nm]] <- data.frame(design = nm, type = des$type, replicates = ncol(f), scale = des$scale,
                              rscales_all_one = all(des$rscales == 1), mse = isTRUE(des$mse), degf = degf(des))
  if (nm == "jkn_strat") rsc[[nm]] <- data.frame(design = nm, replicate = seq_along(des$rscales), rscales = des$rscales)
  vars <- c("api00", "enroll", "stype")
  for (v in vars) for (stat in c("mean", "total")) {
    s <- (if (stat == "mean") svymean else svytotal)(as.formula(paste0("~", v)), des, na.rm = TRUE)
    ci <- confint(s)
    est[[paste(nm, v, stat)]] <- data.frame(design = nm, statistic = stat, variable = v, denominator = "", domain = "",
      category = sub(paste0("^", v), "", names(coef(s))), estimate = as.numeric(coef(s)), se = as.numeric(SE(s)),
      ci_low = ci[, 1], ci_high = ci[, 2])
  }
  for (pr in list(c("api00", "api99"), c("enroll", "api00"))) {
    s <- svyratio(as.formula(paste0("~", pr[1])), as.formula(paste0("~", pr[2])), des, na.rm = TRUE)
    ci <- confint(s)
    est[[paste(nm, pr[1], "ratio")]] <- data.frame(design = nm, statistic = "ratio", variable = pr[1],
      denominator = pr[2], domain = "", category = "", estimate = as.numeric(coef(s)), se = as.numeric(SE(s)),
      ci_low = ci[1, 1], ci_high = ci[1, 2])
  }
  b <- svyby(~api00, ~sch.wide, des, svymean)
  ci <- confint(b)
  est[[paste(nm, "by")]] <- data.frame(design = nm, statistic = "mean", variable = "api00", denominator = "",
    domain = as.character(b$sch.wide), category = "", estimate = coef(b), se = SE(b), ci_low = ci[, 1], ci_high = ci[, 2])
  for (v in c("api00", "enroll")) for (it in c("mean", "quantile")) {
    q <- suppressWarnings(svyquantile(as.formula(paste0("~", v)), des, quantiles = c(0.1, 0.25, 0.5, 0.9),
                                      ci = TRUE, na.rm = TRUE, interval.type = it))[[1]]
    qua[[paste(nm, v, it)]] <- data.frame(design = nm, variable = v, interval = it, quantile = as.numeric(rownames(q)),
      estimate = q[, 1], ci_low = q[, 2], ci_high = q[, 3], se = q[, 4],
      df = degf(des[!is.na(des$variables[[v]]), ]))
  }
}
write.csv(fmt(do.call(rbind, designs)), file.path(here, "replicate_designs.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, rsc)), file.path(here, "replicate_rscales.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, est)), file.path(here, "replicate_estimates.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, qua)), file.path(here, "replicate_quantiles.csv"), row.names = FALSE)
writeLines(sprintf("%s, survey %s: generate_replicate.R -> replicate_*.csv",
                   R.version.string, packageVersion("survey")), file.path(here, "versions_replicate.txt"))
print(do.call(rbind, designs))
