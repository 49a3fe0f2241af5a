# Golden values for deliberval's uptake tracker and inter-coder agreement.
# Run from this folder:  Rscript generate_uptake.R
# Inputs (committed): agreement_codes.csv, register_recommendations.csv, register_events.csv
# (written once by deliberval's simulators; see README.md). Outputs: *_golden.csv next to this file.
suppressPackageStartupMessages({
  library(psych)      # cohen.kappa
  library(survival)   # survfit, survdiff
})
options(digits = 15)
here <- function(f) file.path(".", f)
out <- function(df, f) write.csv(df, here(f), row.names = FALSE)
status_order <- c("no_response", "acknowledged", "rejected_without_reasons",
                  "rejected_with_reasons", "referred_for_study", "accepted_in_principle",
                  "partially_implemented", "implemented")

# ------------------------------------------------------------------ agreement
codes <- read.csv(here("agreement_codes.csv"), stringsAsFactors = FALSE)
wide_of <- function(d) {
  w <- reshape(d[, c("item", "coder", "code")], idvar = "item", timevar = "coder",
               direction = "wide")
  names(w) <- sub("^code\\.", "", names(w))
  w[order(w$item), ]
}

# Fleiss (1971), from the formula; items coded by every coder
fleiss <- function(w, levels) {
  w <- na.omit(w)
  m <- ncol(w)
  counts <- t(apply(w, 1, function(r) table(factor(r, levels = levels))))
  N <- nrow(counts)
  P_i <- (rowSums(counts^2) - m) / (m * (m - 1))
  p_j <- colSums(counts) / (N * m)
  Pbar <- mean(P_i); Pe <- sum(p_j^2)
  c(kappa = (Pbar - Pe) / (1 - Pe), n_items = N)
}

# Krippendorff (2011), from the coincidence matrix; nominal and ordinal metrics
kripp <- function(w, levels, level = c("nominal", "ordinal")) {
  level <- match.arg(level)
  k <- length(levels)
  o <- matrix(0, k, k)
  n_units <- 0
  for (r in seq_len(nrow(w))) {
    v <- na.omit(unlist(w[r, ]))
    mu <- length(v)
    if (mu < 2) next
    n_units <- n_units + 1
    idx <- match(v, levels)
    for (a in seq_len(mu)) for (b in seq_len(mu)) if (a != b)
      o[idx[a], idx[b]] <- o[idx[a], idx[b]] + 1 / (mu - 1)
  }
  nc <- rowSums(o); n <- sum(nc)
  d2 <- matrix(0, k, k)
  for (c in 1:k) for (kk in 1:k) {
    if (level == "nominal") d2[c, kk] <- as.numeric(c != kk)
    else {
      lo <- min(c, kk); hi <- max(c, kk)
      d2[c, kk] <- (sum(nc[lo:hi]) - (nc[c] + nc[kk]) / 2)^2
    }
  }
  De <- sum(outer(nc, nc) * d2) / (n * (n - 1))
  Do <- sum(o * d2) / n
  c(alpha = 1 - Do / De, n_items = n_units)
}

rows <- list()
add <- function(...) rows[[length(rows) + 1]] <<- data.frame(...)

st <- wide_of(codes[codes$dimension == "response_status", ])
# two coders: ana and ben, complete pairs
two <- na.omit(st[, c("ana", "ben")])
ck <- cohen.kappa(two, levels = status_order)
add(case = "status_two_coders", statistic = "cohen_kappa", estimate = ck$kappa,
    ci_low = ck$confid[1, 1], ci_high = ck$confid[1, 3], n_items = nrow(two))
add(case = "status_two_coders", statistic = "cohen_kappa_weighted", estimate = ck$weighted.kappa,
    ci_low = ck$confid[2, 1], ci_high = ck$confid[2, 3], n_items = nrow(two))
f2 <- fleiss(st[, c("ana", "ben")], status_order)
add(case = "status_two_coders", statistic = "fleiss_kappa", estimate = f2[["kappa"]],
    ci_low = NA, ci_high = NA, n_items = f2[["n_items"]])
k2 <- kripp(st[, c("ana", "ben")], status_order, "ordinal")
add(case = "status_two_coders", statistic = "krippendorff_alpha", estimate = k2[["alpha"]],
    ci_low = NA, ci_high = NA, n_items = k2[["n_items"]])
# linear weights (psych takes the weight matrix)
kk <- length(status_order)
wlin <- 1 - abs(outer(1:kk, 1:kk, "-")) / (kk - 1)
cklin <- cohen.kappa(two, w = wlin, levels = status_order)
add(case = "status_two_coders_linear", statistic = "cohen_kappa_weighted",
    estimate = cklin$weighted.kappa, ci_low = cklin$confid[2, 1], ci_high = cklin$confid[2, 3],
    n_items = nrow(two))

# three coders (chloe missed some events)
three <- st[, c("ana", "ben", "chloe")]
ck3 <- cohen.kappa(three, levels = status_order)
add(case = "status_three_coders", statistic = "cohen_kappa", estimate = ck3$av.kappa,
    ci_low = NA, ci_high = NA, n_items = NA)
add(case = "status_three_coders", statistic = "cohen_kappa_weighted", estimate = ck3$av.wt,
    ci_low = NA, ci_high = NA, n_items = NA)
f3 <- fleiss(three, status_order)
add(case = "status_three_coders", statistic = "fleiss_kappa", estimate = f3[["kappa"]],
    ci_low = NA, ci_high = NA, n_items = f3[["n_items"]])
k3 <- kripp(three, status_order, "ordinal")
add(case = "status_three_coders", statistic = "krippendorff_alpha", estimate = k3[["alpha"]],
    ci_low = NA, ci_high = NA, n_items = k3[["n_items"]])
k3n <- kripp(three, status_order, "nominal")
add(case = "status_three_coders_nominal", statistic = "krippendorff_alpha", estimate = k3n[["alpha"]],
    ci_low = NA, ci_high = NA, n_items = k3n[["n_items"]])

# fidelity: nominal, two coders
fd <- wide_of(codes[codes$dimension == "fidelity", ])
fid_levels <- sort(unique(codes$code[codes$dimension == "fidelity"]))
ckf <- cohen.kappa(na.omit(fd[, c("ana", "ben")]), levels = fid_levels)
add(case = "fidelity_two_coders", statistic = "cohen_kappa", estimate = ckf$kappa,
    ci_low = ckf$confid[1, 1], ci_high = ckf$confid[1, 3], n_items = nrow(na.omit(fd)))
kf <- kripp(fd[, c("ana", "ben")], fid_levels, "nominal")
add(case = "fidelity_two_coders", statistic = "krippendorff_alpha", estimate = kf[["alpha"]],
    ci_low = NA, ci_high = NA, n_items = kf[["n_items"]])

# Krippendorff (2011) published example: 4 coders x 12 units, values 1-5, NA missing
kx <- data.frame(
  A = c(1, 2, 3, 3, 2, 1, 4, 1, 2, NA, NA, NA),
  B = c(1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NA, 3),
  C = c(NA, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NA),
  D = c(1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NA))
add(case = "krippendorff_2011", statistic = "krippendorff_alpha",
    estimate = kripp(kx, 1:5, "nominal")[["alpha"]], ci_low = NA, ci_high = NA, n_items = 11)
add(case = "krippendorff_2011_ordinal", statistic = "krippendorff_alpha",
    estimate = kripp(kx, 1:5, "ordinal")[["alpha"]], ci_low = NA, ci_high = NA, n_items = 11)
out(do.call(rbind, rows), "agreement_golden.csv")

# ------------------------------------------------------------------ uptake
as_of <- as.Date("2024-06-30")
deadlines <- c(gentofte_ptc = 90, wallonia_committee = 180, climate_assembly = 182,
               cofoe_panel = 365)
uptake_codes <- c("accepted_in_principle", "partially_implemented", "implemented")
recs <- read.csv(here("register_recommendations.csv"), stringsAsFactors = FALSE)
ev <- read.csv(here("register_events.csv"), stringsAsFactors = FALSE, na.strings = "")
recs$submitted <- as.Date(recs$submitted)
ev$date <- as.Date(ev$date)
ev$row <- seq_len(nrow(ev))
ev <- ev[ev$date <= as_of, ]
ev <- ev[order(ev$rec_id, ev$date, ev$row), ]
last <- ev[!duplicated(ev$rec_id, fromLast = TRUE), ]
recs$status <- last$response_status[match(recs$rec_id, last$rec_id)]
recs$status[is.na(recs$status)] <- "no_response"
pub <- ev[ev$response_status != "no_response", ]
first <- tapply(as.numeric(pub$date), pub$rec_id, min)
recs$first_resp <- as.Date(first[recs$rec_id], origin = "1970-01-01")
imp <- ev[ev$response_status == "implemented", ]
firsti <- tapply(as.numeric(imp$date), imp$rec_id, min)
recs$impl <- as.Date(firsti[recs$rec_id], origin = "1970-01-01")
fid_ev <- ev[!is.na(ev$fidelity), ]
fid_last <- fid_ev[!duplicated(fid_ev$rec_id, fromLast = TRUE), ]
recs$fidelity <- fid_last$fidelity[match(recs$rec_id, fid_last$rec_id)]
wts <- c(unchanged = 1, expanded = 1, modified = 0.5, diluted = 0.25)
recs$taken_up <- recs$status %in% uptake_codes
recs$fw <- ifelse(recs$taken_up, wts[recs$fidelity], 0)
write.csv(data.frame(rec_id = recs$rec_id, status = recs$status,
                     first_response_date = format(recs$first_resp),
                     implementation_date = format(recs$impl)),
          here("uptake_status_golden.csv"), row.names = FALSE, na = "")

ind <- list()
wilson <- function(process, name, x, n) {
  ci <- prop.test(x, n, correct = FALSE)$conf.int
  ind[[length(ind) + 1]] <<- data.frame(process_id = process, indicator = name, count = x, n = n,
                                        estimate = x / n, ci_low = ci[1], ci_high = ci[2])
}
agenda <- list(); kms <- list(); meds <- list(); newc <- list(); medci <- list()
# Newcombe (1998) method 10 hybrid score interval of p1 - p2, from the two Wilson limits
newcombe <- function(x1, n1, x2, n2, conf.level = 0.95) {
  w1 <- suppressWarnings(prop.test(x1, n1, correct = FALSE, conf.level = conf.level))$conf.int
  w2 <- suppressWarnings(prop.test(x2, n2, correct = FALSE, conf.level = conf.level))$conf.int
  p1 <- x1 / n1; p2 <- x2 / n2; d <- p1 - p2
  c(estimate = d, ci_low = d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2),
    ci_high = d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
}
for (p in unique(recs$process_id)) {
  g <- recs[recs$process_id == p, ]
  n <- nrow(g)
  wilson(p, "any_public_response", sum(!is.na(g$first_resp)), n)
  within <- !is.na(g$first_resp) & g$first_resp <= g$submitted + deadlines[[p]]
  wilson(p, "answered_within_deadline", sum(within), n)
  wilson(p, "rejected_with_reasons", sum(g$status == "rejected_with_reasons"), n)
  wilson(p, "rejected_without_reasons", sum(g$status == "rejected_without_reasons"), n)
  wilson(p, "uptake_rate", sum(g$taken_up), n)
  no_fid <- sum(g$taken_up & is.na(g$fidelity))
  wilson(p, "fidelity_weighted_uptake", sum(g$fw, na.rm = TRUE), n - no_fid)
  wilson(p, "implementation_rate", sum(g$status == "implemented"), n)
  # prior-agenda matrix and Fisher's exact test
  tab <- table(factor(g$prior_agenda[g$prior_agenda != "unknown"], levels = c("yes", "no")),
               factor(g$taken_up[g$prior_agenda != "unknown"], levels = c(TRUE, FALSE)))
  ft <- fisher.test(tab)
  agenda[[p]] <- data.frame(process_id = p, uptake_on_agenda = tab[1, 1] / sum(tab[1, ]),
                            uptake_new = tab[2, 1] / sum(tab[2, ]), p_value = ft$p.value,
                            odds_ratio = unname(ft$estimate), odds_ratio_ci_low = ft$conf.int[1],
                            odds_ratio_ci_high = ft$conf.int[2], n_unknown = sum(g$prior_agenda == "unknown"))
  for (cl in c(0.95, 0.90)) {
    nc <- newcombe(tab[1, 1], sum(tab[1, ]), tab[2, 1], sum(tab[2, ]), cl)
    newc[[paste(p, cl)]] <- data.frame(process_id = p, confidence_level = cl,
                                       estimate = nc[["estimate"]],
                                       ci_low = nc[["ci_low"]],
                                       ci_high = nc[["ci_high"]])
  }
  # Kaplan-Meier, censored at as_of
  for (endpoint in c("first_response", "implementation")) {
    d <- if (endpoint == "first_response") g$first_resp else g$impl
    ev_ <- !is.na(d)
    time <- ifelse(ev_, as.numeric(d - g$submitted), as.numeric(as_of - g$submitted))
    fit <- survfit(Surv(time, as.numeric(ev_)) ~ 1)
    s <- summary(fit)
    if (length(s$time)) {
      kms[[paste(p, endpoint)]] <- data.frame(process_id = p, endpoint = endpoint, time = s$time,
                                              n_risk = s$n.risk, n_events = s$n.event,
                                              survival = s$surv, se = s$std.err,
                                              ci_low = s$lower, ci_high = s$upper)
    }
    meds[[paste(p, endpoint)]] <- data.frame(process_id = p, endpoint = endpoint,
                                             estimate = unname(summary(fit)$table["median"]))
    for (cl in c(0.95, 0.90)) {
      tb <- summary(survfit(Surv(time, as.numeric(ev_)) ~ 1, conf.int = cl))$table
      medci[[paste(p, endpoint, cl)]] <- data.frame(
        process_id = p, endpoint = endpoint, confidence_level = cl,
        estimate = unname(tb["median"]), ci_low = unname(tb[paste0(cl, "LCL")]),
        ci_high = unname(tb[paste0(cl, "UCL")]))
    }
  }
}
out(do.call(rbind, ind), "uptake_indicators_golden.csv")
out(do.call(rbind, agenda), "uptake_agenda_golden.csv")
out(do.call(rbind, kms), "uptake_km_golden.csv")
out(do.call(rbind, meds), "uptake_median_golden.csv")
out(do.call(rbind, newc), "uptake_agenda_newcombe_golden.csv")
out(do.call(rbind, medci), "uptake_median_ci_golden.csv")

# median and its interval (print.survfit) on small hand-made samples, incl. flat segments at 0.5
km_cases <- list(
  hand = list(time = c(5, 8, 8, 12, 20, 30), event = c(1, 1, 0, 1, 0, 1)),
  flat_half = list(time = 1:4, event = c(1, 1, 1, 1)),
  flat_half_censored = list(time = c(2, 4, 4, 6, 7, 9, 10, 12), event = c(1, 1, 0, 1, 1, 0, 1, 1)),
  ties = list(time = c(3, 3, 3, 5, 5, 8, 9, 9, 11, 14, 14, 20),
              event = c(1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1)),
  not_reached = list(time = c(4, 6, 9, 10, 10, 12), event = c(1, 0, 0, 1, 0, 0)))
kmc <- list()
for (case in names(km_cases)) {
  d <- km_cases[[case]]
  tb <- summary(survfit(Surv(d$time, d$event) ~ 1))$table
  kmc[[case]] <- data.frame(case = case, time = paste(d$time, collapse = " "),
                            event = paste(d$event, collapse = " "),
                            estimate = unname(tb["median"]), ci_low = unname(tb["0.95LCL"]),
                            ci_high = unname(tb["0.95UCL"]))
}
out(do.call(rbind, kmc), "km_median_examples_golden.csv")

# across processes
tab <- table(recs$process_id, recs$taken_up)
chi <- suppressWarnings(chisq.test(tab, correct = FALSE))
time <- ifelse(!is.na(recs$first_resp), as.numeric(recs$first_resp - recs$submitted),
               as.numeric(as_of - recs$submitted))
sd <- survdiff(Surv(time, as.numeric(!is.na(recs$first_resp))) ~ recs$process_id)
out(data.frame(test = c("chi_square", "log_rank"), statistic = c(unname(chi$statistic), sd$chisq),
               df = c(unname(chi$parameter), length(sd$n) - 1),
               p_value = c(chi$p.value, pchisq(sd$chisq, length(sd$n) - 1, lower.tail = FALSE))),
    "uptake_tests_golden.csv")

writeLines(c(paste0("R ", R.version$major, ".", R.version$minor),
             paste("psych", packageVersion("psych")),
             paste("survival", packageVersion("survival"))), here("versions.txt"))
