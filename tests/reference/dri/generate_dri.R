# Golden values for deliberval.analysis.dri, written from the published definitions
# (Niemeyer & Dryzek 2007; Niemeyer et al. 2024; deliberr 0.1.0 semantics) with base R only:
# stats::cor(method = "spearman") and stats::wilcox.test(paired = TRUE, alternative = "greater").
#
# Run from anywhere:  Rscript tests/reference/dri/generate_dri.R
# Writes next to itself: dri_forums.csv, dri_individual.csv, dri_change.csv, wilcoxon_cases.csv.

args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
data <- read.csv(file.path(here, "..", "..", "data", "deliberr", "human_data.csv"),
                 stringsAsFactors = FALSE)

pairs_of <- function(d) {
  cc <- grep("^C[0-9]+$", names(d), value = TRUE)
  pp <- grep("^P[0-9]+$", names(d), value = TRUE)
  cc <- cc[vapply(cc, function(v) !all(is.na(d[[v]])), logical(1))]
  pp <- pp[vapply(pp, function(v) !all(is.na(d[[v]])), logical(1))]
  q <- cor(t(as.matrix(d[cc])), method = "spearman")
  r <- cor(t(as.matrix(d[pp])), method = "spearman")
  ij <- which(upper.tri(q), arr.ind = TRUE)
  list(i = d$pnum[ij[, 1]], j = d$pnum[ij[, 2]], q = q[ij], r = r[ij],
       n_c = length(cc), n_p = length(pp))
}

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

individual <- function(pr, ids, adjusted) {
  vapply(ids, function(p) {
    k <- pr$i == p | pr$j == p
    dri_value(pr$q[k], pr$r[k], adjusted)
  }, numeric(1))
}

forums <- list(); inds <- list(); changes <- list()
for (cs in unique(data$case)) {
  for (adj in c(FALSE, TRUE)) {
    ind <- list()
    for (st in 1:2) {
      d <- data[data$case == cs & data$stage_id == st, ]
      pr <- pairs_of(d)
      forums[[length(forums) + 1]] <- data.frame(
        case = cs, stage_id = st, adjusted = adj, estimate = dri_value(pr$q, pr$r, adj),
        n = nrow(d), n_pairs = length(pr$q), n_considerations = pr$n_c, n_preferences = pr$n_p)
      ind[[st]] <- data.frame(pnum = d$pnum, estimate = individual(pr, d$pnum, adj))
      inds[[length(inds) + 1]] <- data.frame(case = cs, stage_id = st, adjusted = adj, ind[[st]])
    }
    m <- merge(ind[[1]], ind[[2]], by = "pnum", suffixes = c("_pre", "_post"))
    p <- suppressWarnings(wilcox.test(m$estimate_post, m$estimate_pre, paired = TRUE,
                                      alternative = "greater")$p.value)
    f <- do.call(rbind, forums)
    pre <- f$estimate[f$case == cs & f$stage_id == 1 & f$adjusted == adj]
    post <- f$estimate[f$case == cs & f$stage_id == 2 & f$adjusted == adj]
    changes[[length(changes) + 1]] <- data.frame(
      case = cs, adjusted = adj, dri_pre = pre, dri_post = post, estimate = post - pre, p_value = p,
      n = nrow(m))
  }
}
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }
write.csv(fmt(do.call(rbind, forums)), file.path(here, "dri_forums.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, inds)), file.path(here, "dri_individual.csv"), row.names = FALSE)
write.csv(fmt(do.call(rbind, changes)), file.path(here, "dri_change.csv"), row.names = FALSE)

# wilcox.test(paired, "greater") on awkward inputs: ties, zero differences, n = 49 / 50 / 60,
# to pin down R's choice between the exact and the continuity-corrected normal p-value.
set.seed(20240801)
cases <- list(
  exact_small = list(x = c(1.8, 2.4, 0.3, 3.1, 1.1, 2.2, 0.9), y = c(1.0, 2.0, 0.8, 1.5, 1.3, 0.7, 0.1)),
  ties = list(x = c(3, 4, 5, 6, 7, 8, 9, 10), y = c(2, 3, 4, 4, 5, 8, 7, 9)),
  zeros = list(x = c(1, 2, 3, 4, 5, 6, 7), y = c(1, 1, 2, 5, 3, 6, 4)),
  n49 = list(x = round(rnorm(49, 0.3), 6), y = round(rnorm(49), 6)),
  n50 = list(x = round(rnorm(50, 0.2), 6), y = round(rnorm(50), 6)),
  n60 = list(x = round(rnorm(60, 0.1), 6), y = round(rnorm(60), 6)),
  negative = list(x = round(rnorm(12, -0.5), 6), y = round(rnorm(12), 6))
)
wc <- do.call(rbind, lapply(names(cases), function(nm) {
  x <- cases[[nm]]$x; y <- cases[[nm]]$y
  p <- suppressWarnings(wilcox.test(x, y, paired = TRUE, alternative = "greater")$p.value)
  data.frame(name = nm, x = paste(sprintf("%.17g", x), collapse = ";"),
             y = paste(sprintf("%.17g", y), collapse = ";"), p_value = sprintf("%.17g", p))
}))
write.csv(wc, file.path(here, "wilcoxon_cases.csv"), row.names = FALSE)
cat("R", R.version.string, "\n")
