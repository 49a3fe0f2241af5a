# Golden values for deliberval's representativeness, weighting and survey estimation.
# Run from anywhere: Rscript tests/reference/representativeness/generate_representativeness.R
# Needs R >= 4.1 and the survey package (>= 4.1). Writes CSV / JSON next to this script.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
out <- function(name) file.path(here, name)
options(digits = 15, survey.lonely.psu = "fail")
data(api)

# ---- example data, exported so the Python tests need no R ----------------------------------
keep1 <- c("cds", "stype", "dnum", "snum", "sch.wide", "comp.imp", "api00", "api99", "enroll", "pw", "fpc")
write.csv(apiclus1[, keep1], out("apiclus1.csv"), row.names = FALSE)
write.csv(apistrat[, c(keep1, "awards")], out("apistrat.csv"), row.names = FALSE)
write.csv(apiclus2[, c("cds", "stype", "dnum", "snum", "sch.wide", "api00", "api99", "enroll", "pw", "fpc1", "fpc2")],
          out("apiclus2.csv"), row.names = FALSE)

fmt <- function(stat, design_name, variable) {
  data.frame(design = design_name, variable = variable,
             estimate = as.numeric(coef(stat)), se = as.numeric(SE(stat)))
}

# ---- raking: survey's own ?rake example, on the linearisation (not replicate) design -------
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
# tight convergence so that the golden weights are the fixed point, not an early stop
dclus1r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
                control = list(maxit = 200, epsilon = 1e-12))
write.csv(data.frame(cds = apiclus1$cds, weight = weights(dclus1r)), out("rake_apiclus1_weights.csv"),
          row.names = FALSE)
est <- rbind(
  fmt(svymean(~api00, dclus1r), "apiclus1_raked", "api00"),
  fmt(svymean(~api99, dclus1r), "apiclus1_raked", "api99"),
  fmt(svymean(~enroll, dclus1r), "apiclus1_raked", "enroll"),
  fmt(svymean(~api00, dclus1), "apiclus1", "api00"),
  fmt(svymean(~enroll, dclus1), "apiclus1", "enroll")
)

# ---- svymean: stratified, one-stage cluster, two-stage cluster ------------------------------
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dstrat_nofpc <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
dclus2_wr <- svydesign(id = ~dnum, weights = ~pw, data = apiclus2)  # ultimate-cluster, with replacement
apistrat$sch_wide_yes <- as.numeric(apistrat$sch.wide == "Yes")
dstrat_b <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
est <- rbind(est,
  fmt(svymean(~api00, dstrat), "apistrat", "api00"),
  fmt(svymean(~api99, dstrat), "apistrat", "api99"),
  fmt(svymean(~enroll, dstrat), "apistrat", "enroll"),
  fmt(svymean(~sch_wide_yes, dstrat_b), "apistrat", "sch_wide_yes"),
  fmt(svymean(~api00, dstrat_nofpc), "apistrat_nofpc", "api00"),
  fmt(svymean(~api00, dclus2), "apiclus2", "api00"),
  fmt(svymean(~api99, dclus2), "apiclus2", "api99"),
  fmt(svymean(~api00, dclus2_wr), "apiclus2_wr", "api00"),
  fmt(svymean(~api99, dclus2_wr), "apiclus2_wr", "api99")
)
write.csv(est, out("svymean.csv"), row.names = FALSE)

# ---- goodness of fit: chisq.test, G-test, exact multinomial by enumeration ------------------
compositions <- function(n, k) {
  if (k == 1) return(matrix(n, 1, 1))
  do.call(rbind, lapply(0:n, function(i) cbind(i, compositions(n - i, k - 1))))
}
exact_multinomial <- function(x, p) {
  outcomes <- compositions(sum(x), length(x))
  probs <- apply(outcomes, 1, dmultinom, prob = p)
  pobs <- dmultinom(x, prob = p)
  sum(probs[probs <= pobs * (1 + 1e-7)])
}
cases <- list(
  list(id = "gender_15", x = c(9, 5, 1), p = c(0.49, 0.50, 0.01)),
  list(id = "age_40", x = c(3, 9, 8, 6, 7, 7), p = c(0.12, 0.16, 0.17, 0.18, 0.16, 0.21)),
  list(id = "education_30", x = c(4, 10, 16), p = c(0.25, 0.40, 0.35)),
  list(id = "region_12", x = c(1, 2, 3, 4, 2), p = c(0.2, 0.2, 0.2, 0.2, 0.2))
)
gof <- do.call(rbind, lapply(cases, function(cs) {
  ct <- suppressWarnings(chisq.test(cs$x, p = cs$p))
  e <- sum(cs$x) * cs$p
  g <- 2 * sum(ifelse(cs$x > 0, cs$x * log(cs$x / e), 0))
  data.frame(case = cs$id, counts = paste(cs$x, collapse = ";"), shares = paste(cs$p, collapse = ";"),
             chisq = unname(ct$statistic), chisq_df = unname(ct$parameter), chisq_p_value = ct$p.value,
             g = g, g_p_value = pchisq(g, length(cs$x) - 1, lower.tail = FALSE),
             exact_p_value = exact_multinomial(cs$x, cs$p))
}))
write.csv(gof, out("gof.csv"), row.names = FALSE)

# ---- binomial intervals: Wilson (prop.test without continuity correction), Clopper-Pearson ----
ci <- do.call(rbind, lapply(list(c(1, 15), c(7, 40), c(0, 12), c(75, 150), c(40, 40)), function(xn) {
  w <- prop.test(xn[1], xn[2], correct = FALSE)$conf.int
  b <- binom.test(xn[1], xn[2])$conf.int
  data.frame(x = xn[1], n = xn[2], wilson_low = w[1], wilson_high = w[2], exact_low = b[1], exact_high = b[2])
}))
write.csv(ci, out("binomial_ci.csv"), row.names = FALSE)

# ---- R-indicator: logistic response propensities, R = 1 - 2 sd(rho) with the n - 1 sd ----------
fit <- glm(I(sch.wide == "Yes") ~ stype + comp.imp, family = binomial, data = apistrat)
rho <- fitted(fit)
writeLines(sprintf('{"r_indicator": %.15f, "sd_rho": %.15f, "mean_rho": %.15f, "n": %d}',
                   1 - 2 * sd(rho), sd(rho), mean(rho), length(rho)), out("r_indicator.json"))
# ---- minimum detectable standardised difference: one-sample / paired t-test -------------------
mdd <- do.call(rbind, lapply(c(15, 40, 150), function(n) {
  data.frame(n = n, delta = power.t.test(n = n, sig.level = 0.05, power = 0.8, sd = 1,
                                          type = "one.sample", strict = TRUE, tol = 1e-12)$delta)
}))
write.csv(mdd, out("mdd_ttest.csv"), row.names = FALSE)
# ---- domain means: svyby(~x, ~dom, design, svymean) over the whole design --------------------
byfmt <- function(res, design_name, by, variable) {
  doms <- strsplit(by, "+", fixed = TRUE)[[1]]
  data.frame(design = design_name, by = by,
             domain = do.call(paste, c(lapply(doms, function(d) as.character(res[[d]])), sep = ":")),
             variable = variable, estimate = as.numeric(coef(res)), se = as.numeric(SE(res)))
}
bycase <- function(design, design_name, by, variable) {
  res <- svyby(as.formula(paste0("~", variable)), as.formula(paste0("~", by)), design, svymean)
  byfmt(res, design_name, by, variable)
}
dom <- rbind(
  bycase(dstrat, "apistrat", "stype", "api00"),
  bycase(dstrat, "apistrat", "stype", "api99"),
  bycase(dstrat, "apistrat", "stype", "enroll"),
  bycase(dstrat, "apistrat", "comp.imp", "api00"),
  bycase(dclus1, "apiclus1", "stype", "api00"),
  bycase(dclus1, "apiclus1", "stype", "enroll"),
  bycase(dclus1, "apiclus1", "stype+sch.wide", "api00"),
  bycase(dclus1r, "apiclus1_raked", "stype", "api00"),
  bycase(dclus1r, "apiclus1_raked", "stype", "enroll"),
  bycase(dclus1r, "apiclus1_raked", "comp.imp", "api00"),
  bycase(dclus2, "apiclus2", "stype", "api00")
)
write.csv(dom, out("svyby.csv"), row.names = FALSE)
cat("done\n")
