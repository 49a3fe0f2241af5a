# Golden values for deliberval.analysis.fate (issue 21, deliverable 5).
# R 4.2.2, geepack 1.3.9, lme4 1.1.31, cmprsk 2.2.11, numDeriv 2016.8.1.1 (see versions.txt).
# Run from the repository root:  Rscript tests/reference/uptake/generate_fate.R
#
# 1. Writes a register-like data set (SYNTHETIC, seeded): 30 processes, 6-30 recommendations
#    each, with the covariates the register collects (vote_share, cost_class,
#    challenges_policy, prior_agenda) and dated response events; a random process intercept
#    drives uptake (proposals nested in processes, as in Font, Smith, Galais & Alarcon 2018).
#    fate_recommendations.csv and fate_events.csv are read by the Python tests unchanged.
# 2. Recomputes, from the raw events, the status on AS_OF and the time to / type of the first
#    public response, then fits
#      - geepack::geeglm (binomial logit, exchangeable, sandwich se; convergence tightened from
#        geese.control's default epsilon = 1e-4 to 1e-12 so the golden is the solution itself),
#      - lme4::glmer random-intercept logit with nAGQ = 1 (Laplace) and nAGQ = 9 (adaptive
#        Gauss-Hermite), optimised tightly (rhoend = 1e-12, tolPwrss = 1e-13), standard errors from numDeriv::hessian of lme4's
#        own deviance function at the optimum,
#      - ordinal::clmm cumulative logit of not_taken_up < transformed < accepted (fidelity
#        modified / diluted = transformed), nAGQ = 1 and 9,
#      - cmprsk::cuminc cumulative incidence of the first response type (implementation,
#        rejection, other_response; censored = 0), overall and by prior_agenda.
suppressPackageStartupMessages({library(geepack); library(lme4); library(cmprsk); library(numDeriv)})
out <- "tests/reference/uptake"
AS_OF <- as.Date("2025-12-31")
set.seed(20260214)

n_proc <- 30
sizes <- sample(6:30, n_proc, replace = TRUE)
proc <- sprintf("p%02d", seq_len(n_proc))
subm <- as.Date("2021-01-15") + sample(0:1300, n_proc)
u <- rnorm(n_proc, 0, 0.9)
recs <- do.call(rbind, lapply(seq_len(n_proc), function(i) {
  k <- sizes[i]
  data.frame(process_id = proc[i], rec_id = sprintf("%s-r%02d", proc[i], seq_len(k)),
             title = sprintf("Recommendation %d of %s", seq_len(k), proc[i]),
             submitted = format(subm[i]),
             vote_share = round(runif(k, 0.55, 1), 3),
             cost_class = sample(c("low", "medium", "high"), k, replace = TRUE, prob = c(.4, .35, .25)),
             challenges_policy = sample(c("no", "yes"), k, replace = TRUE, prob = c(.65, .35)),
             prior_agenda = sample(c("no", "yes"), k, replace = TRUE, prob = c(.6, .4)),
             u = u[i], stringsAsFactors = FALSE)
}))
eta <- with(recs, -0.3 + 2.5 * (vote_share - 0.8) - 0.5 * (cost_class == "medium") -
              1.2 * (cost_class == "high") - 0.9 * (challenges_policy == "yes") +
              0.8 * (prior_agenda == "yes") + u)
take <- runif(nrow(recs)) < plogis(eta)
ev <- list()
for (j in seq_len(nrow(recs))) {
  s <- as.Date(recs$submitted[j]); id <- recs$rec_id[j]
  add <- function(d, code) ev[[length(ev) + 1]] <<- data.frame(rec_id = id, date = format(s + d), response_status = code)
  if (take[j]) {
    t1 <- 1 + round(rexp(1, 1 / 150))
    if (runif(1) < 0.2) { add(t1, "implemented"); next }
    add(t1, "accepted_in_principle")
    r <- runif(1)
    if (r < 0.55) add(t1 + 1 + round(rexp(1, 1 / 400)), "implemented")
    else if (r < 0.7) add(t1 + 1 + round(rexp(1, 1 / 300)), "partially_implemented")
  } else {
    r <- runif(1)
    if (r < 0.45) add(1 + round(rexp(1, 1 / 180)), "rejected_with_reasons")
    else if (r < 0.6) add(1 + round(rexp(1, 1 / 180)), "rejected_without_reasons")
    else if (r < 0.8) add(1 + round(rexp(1, 1 / 120)), "acknowledged")
    else if (r < 0.9) add(1 + round(rexp(1, 1 / 200)), "referred_for_study")
  }
}
ev <- do.call(rbind, ev)
# fidelity of the taken-up recommendations (drawn after everything above, so the earlier draws
# and the binary outcome are those of the first version of this script)
fid_codes <- c("unchanged", "expanded", "modified", "diluted")
rec_fid <- setNames(sample(fid_codes, nrow(recs), replace = TRUE, prob = c(.35, .1, .35, .2)), recs$rec_id)
ev$fidelity <- ifelse(ev$response_status %in% c("accepted_in_principle", "partially_implemented", "implemented"),
                      rec_fid[ev$rec_id], NA)
recs$u <- NULL
write.csv(recs, file.path(out, "fate_recommendations.csv"), row.names = FALSE, quote = TRUE)
write.csv(ev, file.path(out, "fate_events.csv"), row.names = FALSE, quote = TRUE)

# --- derive status on AS_OF and the first public response from the raw events -------------
recs <- read.csv(file.path(out, "fate_recommendations.csv"), stringsAsFactors = FALSE)
ev <- read.csv(file.path(out, "fate_events.csv"), stringsAsFactors = FALSE)
ev$date <- as.Date(ev$date)
ev <- ev[ev$date <= AS_OF, ]
ev <- ev[order(ev$rec_id, ev$date), ]
uptake_codes <- c("accepted_in_principle", "partially_implemented", "implemented")
cause_of <- function(code) ifelse(code %in% c("implemented", "partially_implemented"), 1L,
                           ifelse(code %in% c("rejected_with_reasons", "rejected_without_reasons"), 2L, 3L))
recs$taken_up <- 0L; recs$ftime <- NA; recs$fstatus <- 0L; recs$fate <- "not_taken_up"
for (j in seq_len(nrow(recs))) {
  e <- ev[ev$rec_id == recs$rec_id[j] & ev$response_status != "no_response", ]
  s <- as.Date(recs$submitted[j])
  if (nrow(e)) {
    recs$taken_up[j] <- as.integer(tail(e$response_status, 1) %in% uptake_codes)
    fid <- tail(e$fidelity[!is.na(e$fidelity)], 1)
    if (recs$taken_up[j] == 1) recs$fate[j] <- if (length(fid) && fid %in% c("modified", "diluted")) "transformed" else "accepted"
    recs$ftime[j] <- as.numeric(e$date[1] - s); recs$fstatus[j] <- cause_of(e$response_status[1])
  } else recs$ftime[j] <- as.numeric(AS_OF - s)
}
write.csv(recs[, c("rec_id", "taken_up", "fate", "ftime", "fstatus")], file.path(out, "fate_derived_golden.csv"), row.names = FALSE)

recs$cost_class <- factor(recs$cost_class, levels = c("low", "medium", "high"))
recs$challenges_policy <- factor(recs$challenges_policy, levels = c("no", "yes"))
recs$prior_agenda <- factor(recs$prior_agenda, levels = c("no", "yes"))
recs$process_id <- factor(recs$process_id)
recs <- recs[order(recs$process_id), ]
fml <- taken_up ~ vote_share + cost_class + challenges_policy + prior_agenda
rows <- list()
put <- function(model, term, estimate, se) rows[[length(rows) + 1]] <<- data.frame(model = model, term = term, estimate = estimate, se = se)

# --- GEE ------------------------------------------------------------------------------------
g <- geeglm(fml, id = process_id, data = recs, family = binomial, corstr = "exchangeable",
            control = geese.control(epsilon = 1e-12, maxit = 200))
sg <- summary(g)
put("gee", rownames(sg$coefficients), sg$coefficients[, "Estimate"], sg$coefficients[, "Std.err"])
put("gee", "alpha", sg$corr$Estimate, sg$corr$Std.err)
put("gee", "scale", sg$dispersion$Estimate, sg$dispersion$Std.err)

# --- random-intercept logit -----------------------------------------------------------------
for (q in c(1, 9)) {
  # tolPwrss tightened from 1e-7: at the default the conditional modes are solved so loosely
  # that the Laplace deviance (nAGQ = 1) moves by about 2e-3 and the estimates by 3e-3
  ctl <- glmerControl(optimizer = "bobyqa", tolPwrss = 1e-13, optCtrl = list(maxfun = 1e5, rhoend = 1e-12))
  m <- glmer(update(fml, . ~ . + (1 | process_id)), data = recs, family = binomial, nAGQ = q, control = ctl)
  dev <- glmer(update(fml, . ~ . + (1 | process_id)), data = recs, family = binomial, nAGQ = q, devFunOnly = TRUE,
               control = glmerControl(tolPwrss = 1e-13))
  par <- c(getME(m, "theta"), fixef(m))
  # standard errors: inverse of half the numerical Hessian (numDeriv, Richardson) of lme4's
  # deviance function of (theta, beta) at the optimum; vcov(m) (lme4's own finite-difference
  # Hessian) is written too, as <model>_vcov
  H <- hessian(dev, par)
  se <- sqrt(diag(2 * solve(H)))[-1]
  mname <- sprintf("glmer_nagq%d", q)
  put(mname, names(fixef(m)), fixef(m), se)
  put(mname, "sd_(Intercept)", getME(m, "theta"), NA)
  put(mname, "deviance", -2 * as.numeric(logLik(m)), NA)
  put(paste0(mname, "_vcov"), names(fixef(m)), fixef(m), sqrt(diag(as.matrix(vcov(m)))))
}
# --- ordered fate (not taken up < transformed < accepted): ordinal::clmm ----------------------
suppressPackageStartupMessages(library(ordinal))
recs$fate <- factor(recs$fate, levels = c("not_taken_up", "transformed", "accepted"), ordered = TRUE)
ofml <- fate ~ vote_share + cost_class + challenges_policy + prior_agenda + (1 | process_id)
for (q in c(1, 9)) {
  o <- clmm(ofml, data = recs, link = "logit", nAGQ = q,
            control = clmm.control(method = "nlminb", gradTol = 1e-10, maxIter = 1000,
                                   innerCtrl = "noWarn"))
  so <- summary(o)$coefficients
  mname <- sprintf("clmm_nagq%d", q)
  put(mname, rownames(so), so[, "Estimate"], so[, "Std. Error"])
  put(mname, "sd_(Intercept)", sqrt(as.numeric(VarCorr(o)$process_id)), NA)
  put(mname, "deviance", -2 * as.numeric(logLik(o)), NA)
}
# --- nAGQ = 1 standard errors without lme4's inner tolerance ----------------------------------
# lme4 solves the conditional modes to tolPwrss (1e-13 is the tightest that converges), which
# leaves noise of about 1e-7 in its deviance function and so about 2e-6 in numDeriv's standard
# errors. The Laplace deviance written out here (modes by Newton to 1e-14) is the same function
# (checked against lme4's at the optimum: row "deviance_check"), and its numDeriv Hessian gives
# standard errors free of that noise: model "laplace_exact".
X <- model.matrix(fml, recs); yv <- recs$taken_up; cl <- as.integer(recs$process_id)
laplace_dev <- function(par) {
  s <- par[1]; eta <- drop(X %*% par[-1]); z <- numeric(max(cl))
  for (it in 1:200) {
    m <- plogis(eta + s * z[cl])
    g <- s * tapply(yv - m, cl, sum) - z
    info <- s^2 * tapply(m * (1 - m), cl, sum) + 1
    step <- g / info; z <- z + step
    if (max(abs(step)) < 1e-14) break
  }
  m <- plogis(eta + s * z[cl]); info <- s^2 * tapply(m * (1 - m), cl, sum) + 1
  ll <- tapply(dbinom(yv, 1, m, log = TRUE), cl, sum)
  -2 * sum(ll - z^2 / 2 - log(info) / 2)
}
m1 <- glmer(update(fml, . ~ . + (1 | process_id)), data = recs, family = binomial, nAGQ = 1,
            control = glmerControl(optimizer = "bobyqa", tolPwrss = 1e-13, optCtrl = list(maxfun = 1e5, rhoend = 1e-12)))
p1 <- c(getME(m1, "theta"), fixef(m1))
put("laplace_exact", "deviance_check", laplace_dev(p1), -2 * as.numeric(logLik(m1)))
put("laplace_exact", names(fixef(m1)), fixef(m1), sqrt(diag(2 * solve(hessian(laplace_dev, p1))))[-1])

res <- do.call(rbind, rows)
write.csv(res, file.path(out, "fate_models_golden.csv"), row.names = FALSE)

# --- competing risks ------------------------------------------------------------------------
ci_rows <- list()
take_ci <- function(fit, by) {
  for (nm in names(fit)) {
    if (nm == "Tests") next
    f <- fit[[nm]]
    # corners of the step function: keep the value after each jump (even positions)
    idx <- seq(3, length(f$time) - 1, by = 2)
    if (length(f$time) <= 2) next
    parts <- strsplit(nm, " ")[[1]]
    ci_rows[[length(ci_rows) + 1]] <<- data.frame(by = by, group = if (length(parts) == 2) parts[1] else "",
                                                   cause = parts[length(parts)], time = f$time[idx],
                                                   estimate = f$est[idx], variance = f$var[idx])
  }
}
take_ci(cuminc(recs$ftime, recs$fstatus, cencode = 0), "")
take_ci(cuminc(recs$ftime, recs$fstatus, group = recs$prior_agenda, cencode = 0), "prior_agenda")
write.csv(do.call(rbind, ci_rows), file.path(out, "fate_cuminc_golden.csv"), row.names = FALSE)

# --- say-do gap: accepted in principle (or higher) >= DAYS before the date, not implemented on it
ev_all <- read.csv(file.path(out, "fate_events.csv"), stringsAsFactors = FALSE)
ev_all$date <- as.Date(ev_all$date)
recs0 <- read.csv(file.path(out, "fate_recommendations.csv"), stringsAsFactors = FALSE)
sd_rows <- list()
for (d in c("2022-12-31", "2023-12-31", "2024-12-31", "2025-12-31")) {
  for (days in c(180, 365)) {
    on <- as.Date(d)
    e <- ev_all[ev_all$date <= on, ]
    e <- e[order(e$rec_id, e$date), ]
    r <- recs0[as.Date(recs0$submitted) <= on, ]
    acc <- tapply(e$date[e$response_status %in% uptake_codes], e$rec_id[e$response_status %in% uptake_codes], min)
    last <- tapply(e$response_status, e$rec_id, function(x) tail(x, 1))
    a <- as.Date(as.numeric(acc[r$rec_id]), origin = "1970-01-01")
    due <- !is.na(a) & (a + days <= on)
    gap <- due & !(last[r$rec_id] %in% "implemented")
    for (p in unique(r$process_id)) {
      k <- sum(gap[r$process_id == p]); n <- sum(due[r$process_id == p])
      ci <- if (n > 0) suppressWarnings(prop.test(k, n, correct = FALSE)$conf.int) else c(NA, NA)
      sd_rows[[length(sd_rows) + 1]] <- data.frame(as_of = d, days = days, process_id = p, n = n, count = k,
                                                   estimate = if (n > 0) k / n else NA, ci_low = ci[1], ci_high = ci[2])
    }
  }
}
write.csv(do.call(rbind, sd_rows), file.path(out, "fate_say_do_golden.csv"), row.names = FALSE)
