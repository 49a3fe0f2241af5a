# Golden values for deliberval.analysis.dri.dri_change_permutation_test: the exact paired
# permutation null of the change in the group DRI, by brute-force enumeration in base R.
# For every one of the 2^n ways of swapping the two questionnaires of each participant
# (pre <-> post), the Spearman correlations are recomputed from the swapped data with
# stats::cor(method = "spearman") and both group DRIs (Niemeyer & Dryzek 2007, deliberr 0.1.0
# semantics) are recomputed; p = #{T(s) >= T_obs} / 2^n ("greater"), #{T(s) <= T_obs} / 2^n
# ("less"), #{|T(s)| >= |T_obs|} / 2^n ("two-sided"), with a 1e-12 tolerance.
#
# Data: the four smallest forums of deliberr's human_data (tests/data/deliberr, CC BY 4.0):
# Bellinzona (n = 8), Forest Lay Citizen (9), WA Citizens (9), FNQCJ (11); every participant
# answers both waves with usable ratings, and the same columns are answered in both waves.
#
# Run from anywhere:  Rscript tests/reference/dri/generate_dri_change_permutation.R
# Writes next to itself: dri_change_permutation.csv

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
data <- read.csv(file.path(here, "..", "..", "data", "deliberr", "human_data.csv"),
                 stringsAsFactors = FALSE)

dri_value <- function(q, r, adjusted) {
  dj <- abs(q - r) / sqrt(2)
  if (adjusted) {
    m <- pmax(abs(q), abs(r))
    w <- ifelse(m <= 0.2, m / 0.2, 1)
    dist <- 1 - mean((1 - dj) * w)
  } else {
    dist <- mean(dj)
  }
  lambda <- sqrt(2) / 2
  (lambda - 2 * dist) / lambda
}

group_dri <- function(cm, pm, adjusted) {
  q <- cor(t(cm), method = "spearman")
  r <- cor(t(pm), method = "spearman")
  ut <- upper.tri(q)
  dri_value(q[ut], r[ut], adjusted)
}

out <- list()
for (cs in c("Bellinzona", "Forest Lay Citizen", "WA Citizens", "FNQCJ")) {
  d <- data[data$case == cs, ]
  cc <- grep("^C[0-9]+$", names(d), value = TRUE)
  pp <- grep("^P[0-9]+$", names(d), value = TRUE)
  cc <- cc[vapply(cc, function(v) !all(is.na(d[[v]])), logical(1))]
  pp <- pp[vapply(pp, function(v) !all(is.na(d[[v]])), logical(1))]
  pre <- d[d$stage_id == 1, ]
  post <- d[d$stage_id == 2, ]
  post <- post[match(pre$pnum, post$pnum), ]
  stopifnot(!anyNA(pre[c(cc, pp)]), !anyNA(post[c(cc, pp)]))
  n <- nrow(pre)
  c1 <- as.matrix(pre[cc]); c2 <- as.matrix(post[cc])
  p1 <- as.matrix(pre[pp]); p2 <- as.matrix(post[pp])
  for (adj in c(FALSE, TRUE)) {
    null <- numeric(2^n)
    for (code in 0:(2^n - 1)) {
      s <- bitwAnd(bitwShiftR(code, 0:(n - 1)), 1L) == 1L  # bit i: swap participant i
      cpre <- c1; cpre[s, ] <- c2[s, ]
      cpost <- c2; cpost[s, ] <- c1[s, ]
      ppre <- p1; ppre[s, ] <- p2[s, ]
      ppost <- p2; ppost[s, ] <- p1[s, ]
      null[code + 1] <- group_dri(cpost, ppost, adj) - group_dri(cpre, ppre, adj)
    }
    obs <- null[1]
    out[[length(out) + 1]] <- data.frame(
      case = cs, adjusted = adj, n = n, n_resamples = 2^n,
      dri_pre = group_dri(c1, p1, adj), dri_post = group_dri(c2, p2, adj), estimate = obs,
      greater_p_value = mean(null >= obs - 1e-12),
      less_p_value = mean(null <= obs + 1e-12),
      two_sided_p_value = mean(abs(null) >= abs(obs) - 1e-12),
      null_mean = mean(null))
  }
}
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }
write.csv(fmt(do.call(rbind, out)), file.path(here, "dri_change_permutation.csv"), row.names = FALSE)
cat("R", R.version.string, "\n")
