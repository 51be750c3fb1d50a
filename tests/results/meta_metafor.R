## Reference values for tests/test_meta.py, produced with R + metafor (Debian r-cran-metafor).
## Regenerate:  Rscript tests/results/meta_metafor.R > tests/results/meta_metafor.txt 2>&1
## Writes tests/data/mcdaniel1994.csv (metafor::dat.mcdaniel1994; McDaniel et al. 1994,
## validity of employment interviews; 160 studies: ni, ri, type, struct).
suppressPackageStartupMessages(library(metafor))
options(digits = 12, width = 120)
cat("R:", R.version.string, " metafor:", as.character(packageVersion("metafor")), "\n")

dat <- dat.mcdaniel1994
write.csv(dat, "tests/data/mcdaniel1994.csv", row.names = FALSE, na = "")
z <- escalc(measure = "ZCOR", ri = ri, ni = ni, data = dat)   # yi = atanh(r), vi = 1/(n-3)

show <- function(tag, res) {
  pr <- predict(res)
  prr <- predict(res, transf = transf.ztor)
  cat(sprintf("%s: est=%.12f se=%.12f ci=[%.12f, %.12f] tau2=%.12f I2=%.12f H2=%.12f QE=%.12f QEp=%.12g\n",
              tag, res$b[1], res$se, res$ci.lb, res$ci.ub, res$tau2, res$I2, res$H2, res$QE, res$QEp))
  cat(sprintf("%s: pi_z=[%.12f, %.12f]  r=%.12f ci_r=[%.12f, %.12f] pi_r=[%.12f, %.12f]\n",
              tag, pr$pi.lb, pr$pi.ub, prr$pred, prr$ci.lb, prr$ci.ub, prr$pi.lb, prr$pi.ub))
}

cat("\n## 1. random effects on Fisher z, dat.mcdaniel1994 (k = 160)\n")
for (m in c("DL", "REML", "PM", "HS")) show(paste0("mcdaniel ZCOR ", m), rma(yi, vi, data = z, method = m))

cat("\n## 2. Hunter-Schmidt bare-bones via metafor (metafor-project.org tips:hunter_schmidt_method)\n")
hs <- escalc(measure = "COR", ri = ri, ni = ni, data = dat, vtype = "AV")
res <- rma(yi, vi, weights = ni, data = hs, method = "HS")
cat(sprintf("HS bare-bones: mean_r=%.12f tau2(var_res)=%.12f se=%.12f\n", res$b[1], res$tau2, res$se))
rbar <- sum(dat$ni * dat$ri) / sum(dat$ni)
var_r <- sum(dat$ni * (dat$ri - rbar)^2) / sum(dat$ni)
var_e <- (1 - rbar^2)^2 / (mean(dat$ni) - 1)
cat(sprintf("closed form: mean_r=%.12f var_r=%.12f var_e=%.12f var_res=%.12f\n", rbar, var_r, var_e, var_r - var_e))

cat("\n## 3. Viechtbauer (2005) examples 1 and 2 (metafor tests/testthat/test_analysis_example_viechtbauer2005.r)\n")
ex1 <- data.frame(yi = c(-0.581, 0.530, 0.771, 1.031, 0.553, 0.295, 0.078, 0.573, -0.176, -0.232),
                  vi = c(0.023, 0.052, 0.060, 0.115, 0.095, 0.203, 0.200, 0.211, 0.051, 0.040))
ex2 <- data.frame(yi = c(0.100, -0.162, -0.090, -0.049, -0.046, -0.010, -0.431, -0.261, 0.134, 0.019, 0.175,
                         0.056, 0.045, 0.103, 0.121, -0.482, 0.290, 0.342),
                  vi = c(0.016, 0.015, 0.050, 0.050, 0.032, 0.052, 0.036, 0.024, 0.034, 0.033, 0.031, 0.034,
                         0.039, 0.167, 0.134, 0.096, 0.016, 0.035))
for (m in c("HS", "DL", "REML", "PM")) {
  r1 <- rma(yi, vi, data = ex1, method = m); r2 <- rma(yi, vi, data = ex2, method = m)
  cat(sprintf("viechtbauer2005 %s: ex1 tau2=%.12f est=%.12f se=%.12f I2=%.12f | ex2 tau2=%.12f est=%.12f se=%.12f I2=%.12f\n",
              m, r1$tau2, r1$b[1], r1$se, r1$I2, r2$tau2, r2$b[1], r2$se, r2$I2))
}

cat("\n## 4. meta-regression on Fisher z: mods = ~ struct (s vs u), rows with struct known\n")
zs <- z[!is.na(z$struct), ]
for (m in c("REML", "DL")) {
  mr <- rma(yi, vi, mods = ~ struct, data = zs, method = m)
  cat(sprintf("metareg %s: k=%d b0=%.12f b1=%.12f se0=%.12f se1=%.12f p1=%.12g tau2=%.12f QM=%.12f QMp=%.12g QE=%.12f\n",
              m, mr$k, mr$b[1], mr$b[2], mr$se[1], mr$se[2], mr$pval[2], mr$tau2, mr$QM, mr$QMp, mr$QE))
}
mr2 <- rma(yi, vi, mods = ~ type, data = z[!is.na(z$type), ], method = "REML")
cat(sprintf("metareg type REML: k=%d b=%s se=%s tau2=%.12f QM=%.12f QMp=%.12g\n", mr2$k,
            paste(sprintf("%.12f", mr2$b), collapse = ","), paste(sprintf("%.12f", mr2$se), collapse = ","),
            mr2$tau2, mr2$QM, mr2$QMp))

cat("\n## 5. subgroups by struct (separate REML fits), between-group Q from a fixed-effect model of the subgroup estimates\n")
sub <- lapply(split(zs, zs$struct), function(d) rma(yi, vi, data = d, method = "REML"))
for (g in names(sub)) cat(sprintf("subgroup %s REML: k=%d est=%.12f se=%.12f tau2=%.12f\n", g, sub[[g]]$k, sub[[g]]$b[1], sub[[g]]$se, sub[[g]]$tau2))
est <- sapply(sub, function(x) x$b[1]); se <- sapply(sub, function(x) x$se)
qb <- rma(est, sei = se, method = "FE")
cat(sprintf("Q_between=%.12f df=%d p=%.12g\n", qb$QE, length(est) - 1, qb$QEp))

cat("\n## 6. the iterative estimators with tight convergence (metafor's defaults stop at threshold=1e-5 (REML/ML)\n")
cat("##    and uniroot tol=eps^0.25 (PM), so defaults agree with exact values only to ~1e-4 relative)\n")
tight <- list(threshold = 1e-13, maxiter = 10000, tol = 1e-13)
for (m in c("REML", "PM", "ML")) {
  res <- rma(yi, vi, data = z, method = m, control = tight)
  cat(sprintf("mcdaniel ZCOR %s tight: est=%.12f se=%.12f tau2=%.12f I2=%.12f\n", m, res$b[1], res$se, res$tau2, res$I2))
  r1 <- rma(yi, vi, data = ex1, method = m, control = tight)
  cat(sprintf("viechtbauer2005 ex1 %s tight: tau2=%.12f est=%.12f se=%.12f\n", m, r1$tau2, r1$b[1], r1$se))
}
mr <- rma(yi, vi, mods = ~ struct, data = zs, method = "REML", control = tight)
cat(sprintf("metareg REML tight: b0=%.12f b1=%.12f se0=%.12f se1=%.12f tau2=%.12f QM=%.12f\n",
            mr$b[1], mr$b[2], mr$se[1], mr$se[2], mr$tau2, mr$QM))
sub <- lapply(split(zs, zs$struct), function(d) rma(yi, vi, data = d, method = "REML", control = tight))
est <- sapply(sub, function(x) x$b[1]); se <- sapply(sub, function(x) x$se)
qb <- rma(est, sei = se, method = "FE")
cat(sprintf("subgroups tight: est_s=%.12f est_u=%.12f Q_between=%.12f p=%.12g\n", est[1], est[2], qb$QE, qb$QEp))
