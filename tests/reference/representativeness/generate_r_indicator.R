# Golden values for deliberval.analysis.funnel.r_indicator's bootstrap and partial_r_indicators,
# base R only (stats::glm), on the survey package's apistrat (committed as apistrat.csv).
# Response: sch.wide == "Yes"; propensity model: stype + comp.imp (main effects).
#  * bootstrap: 100 resamples of the 200 schools drawn here with sample(); for each the model is
#    refitted with glm on the resampled rows (quasibinomial with the design weights pw, the
#    same estimating equations as binomial with var_weights) and R = 1 - 2 S(rho) recomputed
#    with S^2 = sum d (rho - mean)^2 / (sum d - 1); the resamples are written as unit counts;
#  * partial R-indicators (Schouten, Shlomo & Skinner 2011) from the fitted values:
#    category P_U(Z, k) = sqrt(N_k / N) (mean_k - mean), variable sqrt(sum_k N_k / N (mean_k - mean)^2).
#
# Run from anywhere:  Rscript tests/reference/representativeness/generate_r_indicator.R
# Writes next to itself: r_indicator_boot_counts.csv, r_indicator_boot.csv, partial_r_indicators.csv

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }
api <- read.csv(file.path(here, "apistrat.csv"), stringsAsFactors = FALSE)
api$yes <- as.numeric(api$sch.wide == "Yes")
n <- nrow(api)

r_of <- function(rows, d) {
  sub <- api[rows, ]
  w <- d[rows]
  fit <- suppressWarnings(glm(yes ~ stype + comp.imp, family = quasibinomial, data = sub,
                              weights = w, control = glm.control(epsilon = 1e-14, maxit = 100)))
  rho <- fitted(fit)
  m <- sum(w * rho) / sum(w)
  1 - 2 * sqrt(sum(w * (rho - m)^2) / (sum(w) - 1))
}

set.seed(20251202)
B <- 100
idx <- replicate(B, sample.int(n, n, replace = TRUE))
counts <- t(apply(idx, 2, function(i) tabulate(i, nbins = n)))
write.csv(counts, file.path(here, "r_indicator_boot_counts.csv"), row.names = FALSE)
boot <- data.frame(resample = seq_len(B),
                   unweighted = apply(idx, 2, r_of, d = rep(1, n)),
                   weighted = apply(idx, 2, r_of, d = api$pw))
write.csv(fmt(boot), file.path(here, "r_indicator_boot.csv"), row.names = FALSE)

partial <- list()
for (wname in c("unweighted", "weighted")) {
  d <- if (wname == "weighted") api$pw else rep(1, n)
  fit <- suppressWarnings(glm(yes ~ stype + comp.imp, family = quasibinomial, data = api,
                              weights = d, control = glm.control(epsilon = 1e-14, maxit = 100)))
  rho <- fitted(fit)
  N <- sum(d); m <- sum(d * rho) / N
  for (z in c("stype", "comp.imp")) {
    cats <- sort(unique(api[[z]]))
    nk <- sapply(cats, function(k) sum(d[api[[z]] == k]))
    mk <- sapply(cats, function(k) sum((d * rho)[api[[z]] == k]) / sum(d[api[[z]] == k]))
    partial[[length(partial) + 1]] <- data.frame(weights = wname, dimension = z,
      category = c(NA, cats), estimate = c(sqrt(sum(nk / N * (mk - m)^2)), sqrt(nk / N) * (mk - m)),
      mean_propensity = c(m, mk))
  }
}
write.csv(fmt(do.call(rbind, partial)), file.path(here, "partial_r_indicators.csv"), row.names = FALSE)
cat(R.version.string, "\n")
