# Golden values for deliberval.analysis.fairness.selection_probabilities, base R only.
# Data written by this script: a distribution over 6 panels of 3 from a pool of 8 (panel
# probabilities chosen by hand, summing to 1) and 400 runs of a simple quota lottery
# (one of persons 1-4, two of persons 5-10, drawn with sample()).
# Per-person probability of a distribution: incidence matrix %*% panel probabilities.
# Monte Carlo: share of runs, binomial SE sqrt(p (1 - p) / m), Wilson interval
# prop.test(count, m, correct = FALSE)$conf.int.
#
# Run from anywhere:  Rscript tests/reference/representativeness/generate_selection.R
# Writes next to itself: selection_panels.csv, selection_runs.csv, selection_expected.csv

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }

pool <- sprintf("p%02d", 1:8)
panels <- list(c("p01", "p02", "p03"), c("p01", "p04", "p05"), c("p02", "p06", "p07"),
               c("p03", "p05", "p07"), c("p04", "p06", "p07"), c("p01", "p05", "p06"))
prob <- c(0.3, 0.1, 0.2, 0.15, 0.05, 0.2)
inc <- t(sapply(panels, function(p) as.numeric(pool %in% p)))
dist <- data.frame(source = "distribution", respondent_id = pool,
                   estimate = as.vector(prob %*% inc), se = 0,
                   ci_low = as.vector(prob %*% inc), ci_high = as.vector(prob %*% inc),
                   n = length(panels), count = colSums(inc))
write.csv(data.frame(panel = rep(seq_along(panels), each = 3), respondent_id = unlist(panels),
                     probability = rep(prob, each = 3)),
          file.path(here, "selection_panels.csv"), row.names = FALSE)

set.seed(20251202)
m <- 400
people <- sprintf("q%02d", 1:10)
runs <- do.call(rbind, lapply(seq_len(m), function(k)
  data.frame(run = k, respondent_id = c(sample(people[1:4], 1), sample(people[5:10], 2)))))
write.csv(runs, file.path(here, "selection_runs.csv"), row.names = FALSE)
counts <- sapply(people, function(p) sum(runs$respondent_id == p))
est <- counts / m
ci <- t(sapply(counts, function(c) suppressWarnings(prop.test(c, m, correct = FALSE)$conf.int)))
mc <- data.frame(source = "runs", respondent_id = people, estimate = est,
                 se = sqrt(est * (1 - est) / m), ci_low = ci[, 1], ci_high = ci[, 2], n = m,
                 count = counts)
write.csv(fmt(rbind(dist, mc)), file.path(here, "selection_expected.csv"), row.names = FALSE)
cat("R", R.version.string, "\n")
