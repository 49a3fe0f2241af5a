# Golden values for deliberval.analysis.did.did_wild_bootstrap (issue 20): a hand-coded restricted
# wild cluster bootstrap (WCR) in base R, written independently of the Python code (it refits
# every bootstrap sample by least squares instead of the vectorised form).  Run from this folder:
#   Rscript generate_wild.R
# Data: simulated DiD, 8 sites (clusters) of 4-6 respondents, 4 treated sites, 15 % attrition at post.
set.seed(20261202)
rows <- list()
for (s in 1:8) {
  m <- sample(4:6, 1); tr <- s <= 4; site_eff <- rnorm(1, 0, 0.4)
  for (i in 1:m) {
    id <- sprintf("s%d_r%d", s, i); a <- rnorm(1) + site_eff + 0.3 * tr
    rows[[length(rows) + 1]] <- data.frame(respondent_id = id, site = paste0("site", s), wave = "pre",
      group = if (tr) "participant" else "control", y = round(a + rnorm(1, 0, 0.7), 3))
    if (runif(1) > 0.15) rows[[length(rows) + 1]] <- data.frame(respondent_id = id, site = paste0("site", s),
      wave = "post", group = if (tr) "participant" else "control", y = round(a + 0.1 + 0.4 * tr + rnorm(1, 0, 0.7), 3))
  }
}
d <- do.call(rbind, rows)
write.csv(d, "wild_did_data.csv", row.names = FALSE)

cr1_t <- function(y, X, cl, j, b0) {
  M <- solve(crossprod(X)); b <- M %*% crossprod(X, y); e <- as.vector(y - X %*% b)
  n <- nrow(X); k <- ncol(X); G <- length(unique(cl))
  S <- rowsum(X * e, cl)                                    # G x k scores
  V <- G / (G - 1) * (n - 1) / (n - k) * M %*% crossprod(S) %*% M
  list(beta = b[j], se = sqrt(V[j, j]), t = (b[j] - b0) / sqrt(V[j, j]))
}
wcr_p <- function(y, X, cl, j, b0, W) {
  obs <- cr1_t(y, X, cl, j, b0)
  Xo <- X[, -j, drop = FALSE]; yr <- y - b0 * X[, j]
  br <- solve(crossprod(Xo), crossprod(Xo, yr)); u <- as.vector(yr - Xo %*% br)
  fit0 <- as.vector(Xo %*% br) + b0 * X[, j]
  idx <- match(cl, sort(unique(cl)))
  tstar <- apply(W, 2, function(v) cr1_t(fit0 + v[idx] * u, X, cl, j, b0)$t)
  mean(abs(tstar) >= abs(obs$t) - 1e-12 * max(1, abs(obs$t)))
}
invert <- function(y, X, cl, j, W, level) {
  obs <- cr1_t(y, X, cl, j, 0); alpha <- 1 - level
  bound <- function(dir) {
    inside <- obs$beta; step <- obs$se; out <- inside + dir * step
    while (wcr_p(y, X, cl, j, out, W) > alpha && abs(out - inside) < 1e3 * obs$se) {
      inside <- out; step <- step * 2; out <- inside + dir * step }
    for (it in 1:200) {
      mid <- (inside + out) / 2
      if (wcr_p(y, X, cl, j, mid, W) > alpha) inside <- mid else out <- mid
      if (abs(out - inside) < 1e-9 * obs$se) break
    }
    (inside + out) / 2
  }
  c(bound(-1), bound(1))
}
designs <- function(d) {
  tr <- as.numeric(d$group == "participant"); po <- as.numeric(d$wave == "post")
  pooled <- list(y = d$y, X = cbind(1, tr, po, tr * po), cl = d$site, j = 4)
  both <- ave(d$wave, d$respondent_id, FUN = function(w) length(unique(w))) == 2
  p <- d[both, ]; ppo <- as.numeric(p$wave == "post"); ptp <- as.numeric(p$group == "participant") * ppo
  dm <- function(v) v - ave(v, p$respondent_id)
  fe <- list(y = dm(p$y), X = cbind(dm(ptp), dm(ppo)), cl = p$site, j = 1)
  list(pooled_ols = pooled, individual_fe = fe)
}
# all 2^8 Rademacher sign vectors, in the order of deliberval's enumeration (itertools.product(1, -1))
rad <- t(as.matrix(expand.grid(rep(list(c(1, -1)), 8))[, 8:1]))
# fixed Webb draws (written for the Python test, which passes them to the same engine)
webb_vals <- c(-sqrt(1.5), -1, -sqrt(0.5), sqrt(0.5), 1, sqrt(1.5))
webb <- matrix(sample(webb_vals, 8 * 999, replace = TRUE), nrow = 8)
write.csv(webb, "wild_webb_weights.csv", row.names = FALSE)
out <- list()
for (w in c("rademacher", "webb")) for (m in names(designs(d))) {
  des <- designs(d)[[m]]; W <- if (w == "rademacher") rad else webb
  obs <- cr1_t(des$y, des$X, des$cl, des$j, 0)
  ci <- invert(des$y, des$X, des$cl, des$j, W, 0.95)
  out[[length(out) + 1]] <- data.frame(weights = w, model = m, estimate = obs$beta, se = obs$se,
    statistic = obs$t, p_value = wcr_p(des$y, des$X, des$cl, des$j, 0, W), ci_low = ci[1], ci_high = ci[2],
    n_resamples = ncol(W))
}
res <- do.call(rbind, out)
res[] <- lapply(res, function(v) if (is.numeric(v)) signif(v, 15) else v)
write.csv(res, "wild_did_expected.csv", row.names = FALSE)
print(res)
