# Golden values for deliberval.analysis.categorical (issue 19): Stuart-Maxwell (marginal
# homogeneity) and Bowker (symmetry) tests of paired categorical answers.
#  * Stuart-Maxwell: coin::mh_test (asymptotic marginal homogeneity test; its statistic is the
#    Stuart-Maxwell quadratic form) and the hand formula d' V^- d (MASS::ginv-free: solve() on
#    the first k - 1 categories);
#  * Bowker: stats::mcnemar.test (k x k: Bowker's test; 2 x 2: McNemar, with and without the
#    continuity correction).
# Tables: Agresti's (2002) presidential-approval table (two surveys of 1,600 people), a 5 x 5
# brand-switching table written here, and the paired answers of the real Sample.sav of the
# DeliberativePolling package (tests/data/deliberative-polling, MIT): Knowledge1 as
# Correct / Incorrect and Question1 as Poorly / In the middle / Well (its value labels),
# T1 vs T2, paired by ID.
#
# Run from anywhere:  Rscript tests/reference/change/generate_categorical.R
# Writes next to itself: categorical_expected.csv
suppressPackageStartupMessages({library(coin); library(foreign)})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) sprintf("%.17g", v) else v); x }

hand_sm <- function(x) {
  k <- nrow(x)
  d <- rowSums(x) - colSums(x)
  V <- -(x + t(x))
  diag(V) <- rowSums(x) + colSums(x) - 2 * diag(x)
  keep <- 1:(k - 1)
  as.numeric(t(d[keep]) %*% solve(V[keep, keep]) %*% d[keep])
}

sav <- suppressWarnings(read.spss(file.path(here, "..", "..", "data", "deliberative-polling",
                                            "Sample.sav"), to.data.frame = TRUE,
                                  use.value.labels = FALSE))
lab_knowledge <- function(v) ifelse(v == 2, "Correct", "Incorrect")
lab_question <- function(v) ifelse(v <= 4, "Poorly", ifelse(v == 5, "In the middle", "Well"))
paired <- function(var, lab, levels) {
  t1 <- sav[trimws(sav$Time) == "T1", c("ID", var)]
  t2 <- sav[trimws(sav$Time) == "T2", c("ID", var)]
  m <- merge(t1, t2, by = "ID")
  m <- m[!is.na(m[[2]]) & !is.na(m[[3]]), ]
  unclass(table(factor(lab(m[[2]]), levels = levels), factor(lab(m[[3]]), levels = levels)))
}

tables <- list(
  approval = matrix(c(794, 86, 150, 570), nrow = 2),
  brands = matrix(c(93, 17, 44, 7, 10,
                    9, 46, 11, 0, 9,
                    17, 11, 155, 9, 12,
                    6, 4, 9, 15, 2,
                    10, 4, 12, 2, 27), nrow = 5, byrow = TRUE),
  sample_knowledge = paired("Knowledge1", lab_knowledge, c("Correct", "Incorrect")),
  sample_question = paired("Question1", lab_question, c("In the middle", "Poorly", "Well"))
)
rows <- list()
for (nm in names(tables)) {
  x <- tables[[nm]]
  dimnames(x) <- NULL
  mh <- mh_test(as.table(x))
  rows[[length(rows) + 1]] <- data.frame(case = nm, test = "stuart_maxwell", correct = FALSE,
    statistic = as.numeric(statistic(mh)), hand = hand_sm(x), df = nrow(x) - 1,
    p_value = as.numeric(pvalue(mh)), n = sum(x), table = paste(as.vector(t(x)), collapse = ";"))
  for (corr in c(FALSE, TRUE)) {
    if (corr && nrow(x) > 2) next
    mc <- suppressWarnings(mcnemar.test(x, correct = corr))
    rows[[length(rows) + 1]] <- data.frame(case = nm, test = "bowker", correct = corr,
      statistic = unname(mc$statistic), hand = NA, df = unname(mc$parameter),
      p_value = mc$p.value, n = sum(x), table = paste(as.vector(t(x)), collapse = ";"))
  }
}
write.csv(fmt(do.call(rbind, rows)), file.path(here, "categorical_expected.csv"), row.names = FALSE)
cat(R.version.string, "coin", as.character(packageVersion("coin")), "\n")
