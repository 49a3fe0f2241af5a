# Goldens of deliberval.register_agreement (tests/uptake/test_register_agreement_golden.py).
# R 4.2.2, vcd (Kappa: unweighted Cohen's kappa and its large-sample ASE), psych 2.2.9 (cohen.kappa,
# checked equal). Reads events.csv and evidence.csv (make_inputs.py), builds each field's items
# (status / fidelity: recommendation + response date, coded on one event row per coder; prior agenda:
# each coder's evidence row of the recommendation) and writes register_agreement.csv:
# field, coder_1, coder_2, statistic, estimate, ci_low, ci_high, n for every pair of coders.
# Cohen's kappa CI: estimate -/+ qnorm(0.975) * ASE; Gwet's AC1 by its formula (estimate only);
# percent agreement: share of items both coded identically.
suppressPackageStartupMessages({library(vcd); library(psych)})
ev <- read.csv("events.csv", stringsAsFactors = FALSE, na.strings = "")
evi <- read.csv("evidence.csv", stringsAsFactors = FALSE, na.strings = "")
long <- list(
  response_status = data.frame(item = paste(ev$rec_id, ev$date), coder = ev$coder, code = ev$response_status),
  fidelity = data.frame(item = paste(ev$rec_id, ev$date), coder = ev$coder, code = ev$fidelity),
  prior_agenda = data.frame(item = evi$rec_id, coder = evi$coder, code = evi$code))
out <- list()
for (field in names(long)) {
  d <- long[[field]]
  d <- d[!is.na(d$code), ]
  for (pair in list(c("model", "ann"), c("model", "bob"), c("ann", "bob"))) {
    a <- d[d$coder == pair[1], c("item", "code")]
    b <- d[d$coder == pair[2], c("item", "code")]
    m <- merge(a, b, by = "item")
    lev <- sort(unique(c(m$code.x, m$code.y)))
    tab <- table(factor(m$code.x, levels = lev), factor(m$code.y, levels = lev))
    k <- Kappa(tab)
    est <- unname(k$Unweighted["value"]); ase <- unname(k$Unweighted["ASE"])
    pk <- cohen.kappa(cbind(as.character(m$code.x), as.character(m$code.y)))
    stopifnot(abs(pk$kappa - est) < 1e-12)
    n <- nrow(m); po <- sum(diag(tab)) / n
    pi <- (rowSums(tab) + colSums(tab)) / (2 * n); q <- length(lev)
    pe <- sum(pi * (1 - pi)) / (q - 1)
    ac1 <- (po - pe) / (1 - pe)
    z <- qnorm(0.975)
    out[[length(out) + 1]] <- data.frame(field = field, coder_1 = pair[1], coder_2 = pair[2],
      statistic = c("cohen_kappa", "gwet_ac1", "percent_agreement"), estimate = c(est, ac1, po),
      ci_low = c(est - z * ase, NA, NA), ci_high = c(est + z * ase, NA, NA), n = n)
  }
}
res <- do.call(rbind, out)
write.csv(res, "register_agreement.csv", row.names = FALSE)
print(res, digits = 10)
