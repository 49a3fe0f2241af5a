# Independent reference for deliberval.analysis.meta.bayesian_pooling / bayesian_share_pooling
# (issue 20). Run from this folder after generate_meta.R:  Rscript generate_bayes.R
# Normal-normal model: adaptive quadrature over tau in [0, Inf) with R's integrate() and quantiles by
# uniroot() (deliberval uses a fixed midpoint rule on the prior's probability scale).
# Beta-binomial model: a 1500 x 1500 midpoint grid over the whole square (m, sqrt(icc))
# (deliberval: a coarse pass, then 300 x 300 over the region holding the posterior).
d <- read.csv("meta_data.csv")
committees <- data.frame(dataset = "committees", unit = c("A", "B", "C"), estimate = c(0.6, 0.1, 0.4),
                         se = c(0.25, 0.3, 0.2))
write.csv(committees, "bayes_committees.csv", row.names = FALSE)
d <- rbind(d, committees)
cases <- data.frame(
  dataset = c("committees", "bcg3", "hackshaw1998", "normand1999"),
  prior = c("half_normal", "half_cauchy", "half_normal", "half_normal"),
  scale = c(0.5, 0.5, 0.5, 10), threshold = c(0.2, -0.5, 0, -10), higher = c(TRUE, FALSE, TRUE, FALSE))
rt <- 1e-11
out_s <- list(); out_u <- list()
for (r in seq_len(nrow(cases))) {
  cs <- cases[r, ]; x <- d[d$dataset == cs$dataset, ]
  y <- x$estimate; v <- x$se^2; k <- length(y)
  dprior <- if (cs$prior == "half_normal") function(t) 2 * dnorm(t, 0, cs$scale) else
    function(t) 2 * dcauchy(t, 0, cs$scale)
  parts <- function(t) { w <- 1 / (v + t^2); mu <- sum(w * y) / sum(w); list(w = w, mu = mu, V = 1 / sum(w)) }
  loglik <- function(t) { p <- parts(t); 0.5 * (sum(log(p$w)) + log(p$V) - sum(p$w * (y - p$mu)^2)) }
  ref <- optimize(function(t) loglik(t) + log(dprior(t)), c(0, 20 * cs$scale), maximum = TRUE)$objective
  f <- Vectorize(function(t) exp(loglik(t) + log(dprior(t)) - ref))
  Z <- integrate(f, 0, Inf, rel.tol = rt, subdivisions = 10000)$value
  E <- function(g) integrate(Vectorize(function(t) g(t) * f(t)), 0, Inf, rel.tol = rt, subdivisions = 10000)$value / Z
  # a normal mixture: m(t), s(t)
  summ <- function(mf, sf) {
    mean <- E(mf); sd <- sqrt(E(function(t) sf(t)^2 + mf(t)^2) - mean^2)
    cdf <- function(q) E(function(t) pnorm((q - mf(t)) / sf(t)))
    qu <- function(p) uniroot(function(q) cdf(q) - p, c(mean - 15 * sd, mean + 15 * sd), tol = 1e-10)$root
    up <- 1 - cdf(cs$threshold)
    c(estimate = mean, sd = sd, ci_low = qu(0.025), ci_high = qu(0.975),
      prob_meets_threshold = if (cs$higher) up else 1 - up)
  }
  mu <- summ(function(t) parts(t)$mu, function(t) sqrt(parts(t)$V))
  nu <- summ(function(t) parts(t)$mu, function(t) sqrt(parts(t)$V + t^2))
  tm <- E(function(t) t); tsd <- sqrt(E(function(t) t^2) - tm^2)
  tcdf <- function(q) integrate(f, 0, q, rel.tol = rt)$value / Z
  tq <- function(p) uniroot(function(q) tcdf(q) - p, c(0, 50 * cs$scale), tol = 1e-10)$root
  out_s[[r]] <- data.frame(dataset = cs$dataset, parameter = c("mu", "tau", "new_unit"),
    rbind(mu, c(tm, tsd, tq(0.025), tq(0.975), NA), nu))
  u <- t(sapply(seq_len(k), function(i) summ(
    function(t) { p <- parts(t); l <- t^2 / (t^2 + v[i]); l * y[i] + (1 - l) * p$mu },
    function(t) { p <- parts(t); l <- t^2 / (t^2 + v[i]); sqrt(l * v[i] + (1 - l)^2 * p$V) })))
  out_u[[r]] <- data.frame(dataset = cs$dataset, unit = x$unit, u)
}
write.csv(cases, "bayes_cases.csv", row.names = FALSE)
fmt <- function(x) { x[] <- lapply(x, function(v) if (is.numeric(v)) signif(v, 12) else v); x }
write.csv(fmt(do.call(rbind, out_s)), "bayes_summary_expected.csv", row.names = FALSE)
write.csv(fmt(do.call(rbind, out_u)), "bayes_units_expected.csv", row.names = FALSE)

# ---- beta-binomial
data(dat.bcg, package = "metadat"); bcg <- dat.bcg
shares <- rbind(
  data.frame(dataset = "panels", unit = c("1", "2", "3"), count = c(14, 9, 16), n = c(20, 18, 22), threshold = 0.5),
  data.frame(dataset = "bcg_treated4", unit = paste(bcg$author[1:4], bcg$year[1:4]),
             count = bcg$tpos[1:4], n = bcg$tpos[1:4] + bcg$tneg[1:4],
             threshold = 0.01))
write.csv(shares, "bayes_shares.csv", row.names = FALSE)
G <- 1500; mids <- (seq_len(G) - 0.5) / G
bs <- list(); bu <- list()
for (ds in unique(shares$dataset)) {
  x <- shares[shares$dataset == ds, ]; thr <- x$threshold[1]
  m <- rep(mids, times = G); s <- rep(mids, each = G)   # m varies fastest
  kap <- 1 / s^2 - 1; a <- m * kap; b <- (1 - m) * kap
  ll <- rep(0, length(m))
  for (i in seq_len(nrow(x))) ll <- ll + lbeta(a + x$count[i], b + x$n[i] - x$count[i]) - lbeta(a, b)
  w <- exp(ll - max(ll)); w <- w / sum(w)
  keep <- w > 1e-14; w <- w[keep] / sum(w[keep]); a <- a[keep]; b <- b[keep]; mk <- m[keep]; sk <- s[keep]
  mix <- function(aa, bb) {
    mean <- sum(w * aa / (aa + bb)); sd <- sqrt(sum(w * aa * (aa + 1) / ((aa + bb) * (aa + bb + 1))) - mean^2)
    qu <- function(p) uniroot(function(q) sum(w * pbeta(q, aa, bb)) - p, c(0, 1), tol = 1e-10)$root
    c(estimate = mean, sd = sd, ci_low = qu(0.025), ci_high = qu(0.975),
      prob_meets_threshold = sum(w * pbeta(thr, aa, bb, lower.tail = FALSE)))
  }
  marg <- tapply(w, mk, sum); mv <- as.numeric(names(marg))
  cum <- cumsum(marg) - marg / 2
  ms <- c(estimate = sum(w * mk), sd = sqrt(sum(w * mk^2) - sum(w * mk)^2),
          ci_low = approx(cum, mv, 0.025)$y, ci_high = approx(cum, mv, 0.975)$y,
          prob_meets_threshold = sum(w * (mk >= thr)))
  ic <- c(estimate = sum(w * sk^2), sd = sqrt(sum(w * sk^4) - sum(w * sk^2)^2), ci_low = NA, ci_high = NA,
          prob_meets_threshold = NA)
  bs[[ds]] <- data.frame(dataset = ds, parameter = c("mean_share", "icc", "new_unit"), rbind(ms, ic, mix(a, b)))
  bu[[ds]] <- data.frame(dataset = ds, unit = x$unit,
                         t(sapply(seq_len(nrow(x)), function(i) mix(a + x$count[i], b + x$n[i] - x$count[i]))))
}
write.csv(fmt(do.call(rbind, bs)), "bayes_share_summary_expected.csv", row.names = FALSE)
write.csv(fmt(do.call(rbind, bu)), "bayes_share_units_expected.csv", row.names = FALSE)
