# Golden values for deliberval.analysis.survey.survey_total / survey_ratio / survey_quantile
# (issue 19), R survey 4.1.1, on the survey package's api data already committed under
# tests/reference/representativeness (apistrat.csv, apiclus1.csv, apiclus2.csv; GPL data from
# survey, numbers only). A few values of enroll in apiclus1 are set missing here to exercise na.rm.
# Designs: apistrat stratified by stype with fpc; apiclus1 one-stage cluster (dnum) with fpc;
# apiclus2 two-stage (dnum, snum) with fpc1 + fpc2; raked apiclus1 (stype, sch.wide; survey's ?rake).
#  * svytotal(~y, design, na.rm = TRUE): estimate, SE; confint() (normal);
#  * svyratio(~api00, ~api99, design) and svyratio(~api.stu, ~enroll, design, na.rm = TRUE): estimate,
#    SE; confint() (normal);
#  * svyquantile(~y, design, quantiles = c(0.1, 0.25, 0.5, 0.9), ci = TRUE, na.rm = TRUE) with the
#    defaults interval.type = "mean" (Woodruff: a t interval of the estimated CDF at the quantile on
#    degf(design) df (of the design restricted to the rows observed, as na.rm = TRUE does), mapped back through the quantile rule) and qrule = "math" (the smallest
#    value whose weighted CDF reaches p); SE = (upper - lower) / (2 qt(0.975, df)).
# Run from anywhere:  Rscript tests/reference/survey_estimates/generate_survey_estimates.R
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
rep_dir <- file.path(here, "..", "representativeness")
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }
apistrat <- read.csv(file.path(rep_dir, "apistrat.csv"), stringsAsFactors = FALSE)
apiclus1 <- read.csv(file.path(rep_dir, "apiclus1.csv"), stringsAsFactors = FALSE)
apiclus2 <- read.csv(file.path(rep_dir, "apiclus2.csv"), stringsAsFactors = FALSE)
apiclus1$enroll[c(3, 17, 90)] <- NA
write.csv(apiclus1, file.path(here, "apiclus1_missing.csv"), row.names = FALSE)

designs <- list(
  apistrat = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc),
  apiclus1 = svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc),
  apiclus2 = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2))
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
designs$apiclus1_raked <- rake(designs$apiclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
                               control = list(maxit = 200, epsilon = 1e-12))

tot <- list(); rat <- list(); qua <- list()
for (d in names(designs)) {
  des <- designs[[d]]
  for (v in c("api00", "enroll", "stype")) {
    s <- svytotal(as.formula(paste0("~", v)), des, na.rm = TRUE)
    ci <- confint(s)
    tot[[paste(d, v)]] <- data.frame(design = d, variable = v, category = sub(paste0("^", v), "", names(coef(s))),
                                     estimate = as.numeric(coef(s)), se = as.numeric(SE(s)),
                                     ci_low = ci[, 1], ci_high = ci[, 2])
  }
  for (pr in list(c("api00", "api99"), c("enroll", "api00"))) {
    s <- svyratio(as.formula(paste0("~", pr[1])), as.formula(paste0("~", pr[2])), des, na.rm = TRUE)
    ci <- confint(s)
    rat[[paste(d, pr[1])]] <- data.frame(design = d, numerator = pr[1], denominator = pr[2],
                                         estimate = as.numeric(coef(s)), se = as.numeric(SE(s)),
                                         ci_low = ci[1, 1], ci_high = ci[1, 2])
  }
  for (v in c("api00", "enroll")) {
    q <- svyquantile(as.formula(paste0("~", v)), des, quantiles = c(0.1, 0.25, 0.5, 0.9), ci = TRUE,
                     na.rm = TRUE)[[1]]
    qua[[paste(d, v)]] <- data.frame(design = d, variable = v, quantile = as.numeric(rownames(q)),
                                     estimate = q[, 1], ci_low = q[, 2], ci_high = q[, 3], se = q[, 4],
                                     df = degf(des[!is.na(des$variables[[v]]), ]))
  }
}
write.csv(fmt(do.call(rbind, tot)), file.path(here, "svytotal.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, rat)), file.path(here, "svyratio.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, qua)), file.path(here, "svyquantile.csv"), row.names = FALSE)
writeLines(sprintf("%s, survey %s: generate_survey_estimates.R -> apiclus1_missing.csv, svytotal.csv, svyratio.csv, svyquantile.csv",
                   R.version.string, packageVersion("survey")), file.path(here, "versions.txt"))
