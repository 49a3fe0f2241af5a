# Golden values for deliberval.analysis.psychometrics.item_statistics with intervals and
# pairwise deletion, and reliability(missing = "pairwise") (issue 19).
# Data simulated here (seed below), committed as items_missing.csv: 250 respondents, five
# five-point items of one factor (q4 reverse-worded), about 8 % of answers missing ("don't know"
# recoded to NA), more on q5.
# psych::alpha's default is pairwise: C = cov(x, use = "pairwise"), alpha, alpha-if-deleted and
# r.drop from C; raw.r = cor(rowMeans(x, na.rm = TRUE), x, use = "pairwise"); n, mean, sd per
# item with na.rm. Listwise: psych::alpha(na.omit(x)).
# Intervals, by hand: item mean +- qt(0.975, n - 1) sd / sqrt(n) (n the item's answers, or the
# complete rows when listwise); corrected item-total r (r.drop) by Fisher's z,
# tanh(atanh(r) -+ qnorm(0.975) / sqrt(m - 3)) with m the smallest number of respondents who
# answered the item and another item (psych::pairwiseCount), or the complete rows when listwise.
# reliability(missing = "pairwise"): alpha, std.alpha, G6(smc), average_r of psych::alpha(x)
# (repeated on every item's row). Feldt interval by hand on the smallest pair count m:
# 1 - (1 - alpha) qf(c(0.975, 0.025), m - 1, (m - 1)(k - 1)) -> alpha_feldt.csv.
# Run from anywhere:  Rscript tests/reference/item_statistics/generate_item_statistics.R
suppressPackageStartupMessages(library(psych))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }
set.seed(20261204)
n <- 250
f <- rnorm(n)
lam <- c(0.8, 0.7, 0.6, -0.7, 0.5)
x <- sapply(seq_along(lam), function(j) {
  z <- lam[j] * f + rnorm(n, 0, sqrt(1 - lam[j]^2))
  as.numeric(cut(z, c(-Inf, -1.2, -0.4, 0.4, 1.2, Inf)))
})
colnames(x) <- paste0("q", 1:5)
x[, "q4"] <- 6 - x[, "q4"]  # reverse-keyed in the data as scored, so no keys needed
x[cbind(sample.int(n, 80, replace = TRUE), sample.int(4, 80, replace = TRUE))] <- NA
x[sample.int(n, 30), "q5"] <- NA
x <- as.data.frame(x)
write.csv(x, file.path(here, "items_missing.csv"), row.names = FALSE)

z <- qnorm(0.975)
one <- function(a, d, pc, mode) {
  st <- a$item.stats
  nmin <- if (is.null(pc)) rep(nrow(d), ncol(d)) else apply(pc + diag(NA, ncol(d)), 1, min, na.rm = TRUE)
  data.frame(missing = mode, item = rownames(st), n = st$n, mean = st$mean, sd = st$sd,
             mean_ci_low = st$mean - qt(0.975, st$n - 1) * st$sd / sqrt(st$n),
             mean_ci_high = st$mean + qt(0.975, st$n - 1) * st$sd / sqrt(st$n),
             item_total_r = st$raw.r, item_rest_r = st$r.drop, n_pairs = nmin,
             item_rest_r_ci_low = tanh(atanh(st$r.drop) - z / sqrt(nmin - 3)),
             item_rest_r_ci_high = tanh(atanh(st$r.drop) + z / sqrt(nmin - 3)),
             alpha_if_deleted = a$alpha.drop$raw_alpha, alpha_std_if_deleted = a$alpha.drop$std.alpha,
             alpha = a$total$raw_alpha, alpha_std = a$total$std.alpha,
             lambda6 = a$total[["G6(smc)"]], average_r = a$total$average_r)
}
a_pw <- psych::alpha(x, warnings = FALSE)
cc <- na.omit(x)
a_lw <- psych::alpha(cc, warnings = FALSE)
res <- rbind(one(a_pw, x, pairwiseCount(x), "pairwise"), one(a_lw, cc, NULL, "listwise"))
write.csv(fmt(res), file.path(here, "item_statistics_missing.csv"), row.names = FALSE)
m <- min(pairwiseCount(x)); k <- ncol(x); al <- a_pw$total$raw_alpha
write.csv(fmt(data.frame(n = m, alpha = al, ci_low = 1 - (1 - al) * qf(0.975, m - 1, (m - 1) * (k - 1)),
                         ci_high = 1 - (1 - al) * qf(0.025, m - 1, (m - 1) * (k - 1)))),
          file.path(here, "alpha_feldt.csv"), row.names = FALSE)
writeLines(sprintf("%s, psych %s: generate_item_statistics.R -> items_missing.csv, item_statistics_missing.csv, alpha_feldt.csv",
                   R.version.string, packageVersion("psych")), file.path(here, "versions.txt"))
