# Golden values of the report's change table on the evaluator's own instrument (issue 15).
#
# Data: deliberr's human_data.csv (MIT), case "Activate" (Uppsala Speaks): 26 participants rated
# consideration statements 1-7 before (stage_id 1) and after (stage_id 2) deliberation. The test
# (tests/pipeline/test_uppsala_speaks.py) builds the same rows into an SPSS .sav
# (tests/data/deliberr/uppsala_speaks/), maps them onto the instrument
# tests/data/deliberr/uppsala_speaks/instrument/uppsala_speaks.yaml and reports three outcomes named
# in report.yaml's `outcomes:`: the scale `responsibility` (mean of C11, C12, C29, C30, scored when
# at least 3 are answered) and the single items C25 and C38.
#
# Base R only: t.test(post, pre, paired = TRUE) per outcome, p.adjust(method = "holm") across the
# three outcomes, d_z = mean(d) / sd(d) (Lakens 2013, eq. 6).
#
# Run from the repository root:  Rscript tests/reference/report/generate_report_change.R
# It writes tests/reference/report/report_change_expected.csv and versions.txt.

out_dir <- "tests/reference/report"
raw <- read.csv("tests/data/deliberr/human_data.csv", stringsAsFactors = FALSE)
forum <- raw[raw$case == "Activate", ]

scale_score <- function(df, items, min_valid) {
  x <- as.matrix(df[, items])
  valid <- rowSums(!is.na(x))
  score <- rowMeans(x, na.rm = TRUE)
  score[valid < min_valid] <- NA
  score
}
forum$responsibility <- scale_score(forum, c("C11", "C12", "C29", "C30"), 3)
forum$c25 <- forum$C25
forum$c38 <- forum$C38

pre <- forum[forum$stage_id == 1, ]
post <- forum[forum$stage_id == 2, ]
outcomes <- c("responsibility", "c25", "c38")
rows <- list()
for (o in outcomes) {
  both <- merge(pre[, c("pnum", o)], post[, c("pnum", o)], by = "pnum", suffixes = c("_pre", "_post"))
  both <- both[complete.cases(both), ]
  x0 <- both[[paste0(o, "_pre")]]
  x1 <- both[[paste0(o, "_post")]]
  tt <- t.test(x1, x0, paired = TRUE, conf.level = 0.95)
  d <- x1 - x0
  rows[[o]] <- data.frame(
    outcome = o, n = length(d), mean_pre = mean(x0), mean_post = mean(x1),
    estimate = unname(tt$estimate), ci_low = tt$conf.int[1], ci_high = tt$conf.int[2],
    statistic = unname(tt$statistic), df = unname(tt$parameter), p_value = tt$p.value,
    d_z = mean(d) / sd(d)
  )
}
res <- do.call(rbind, rows)
res$holm_p_value <- p.adjust(res$p_value, method = "holm")
num <- vapply(res, is.numeric, logical(1))
res[num] <- lapply(res[num], function(x) sprintf("%.17g", x))
write.csv(res, file.path(out_dir, "report_change_expected.csv"), row.names = FALSE, quote = FALSE)
writeLines(R.version.string, file.path(out_dir, "versions.txt"))
