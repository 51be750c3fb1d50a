# Reference values for tests/test_regression.py, fitted in R on tests/data/regression_units.csv
# (written by tests/results/regression_make_data.py). Regenerate the printed output with:
#   Rscript tests/results/regression_R.R > tests/results/regression_R.txt
# Packages: MASS (glm.nb), lme4 (lmer), sandwich (vcovCL), lmtest (coeftest).
suppressPackageStartupMessages({library(MASS); library(lme4); library(sandwich); library(lmtest)})
options(digits = 12, width = 150)
d <- read.csv("tests/data/regression_units.csv")
tight <- glm.control(epsilon = 1e-12, maxit = 100)  # converge fully so estimates can be compared to 1e-6
cat(R.version.string, "\n")
cat("MASS", as.character(packageVersion("MASS")), "lme4", as.character(packageVersion("lme4")),
    "sandwich", as.character(packageVersion("sandwich")), "\n")

# engagement standardised within company on the estimation sample: (x - company mean) / company sd (n-1)
zwc <- function(x, g) (x - ave(x, g)) / ave(x, g, FUN = sd)
show <- function(label, fit, V = vcov(fit)) {
  cat("\n==", label, "==\n")
  print(cbind(estimate = coef(fit), se = sqrt(diag(V)))[seq_along(coef(fit)), , drop = FALSE])
}
pearson <- function(fit) sum(residuals(fit, type = "pearson")^2) / df.residual(fit)

# ---- Gaussian: customer_loyalty (9 rows missing -> 291 rows) ----
g <- d[!is.na(d$customer_loyalty), ]
cat("\nrows used for customer_loyalty:", nrow(g), "\n")
g$z <- zwc(g$engagement, g$company)
m_lm <- lm(customer_loyalty ~ z, data = g)
show("lm customer_loyalty ~ z (model-based)", m_lm)
show("lm customer_loyalty ~ z, vcovCL(cluster=~company, type='HC1')", m_lm, vcovCL(m_lm, cluster = ~company, type = "HC1"))
m_fe <- lm(customer_loyalty ~ z + factor(company), data = g)
show("lm customer_loyalty ~ z + factor(company) (fixed effects)", m_fe)
m_ctl <- lm(customer_loyalty ~ z + region, data = g)
show("lm customer_loyalty ~ z + region, vcovCL HC1", m_ctl, vcovCL(m_ctl, cluster = ~company, type = "HC1"))
m_re <- lmer(customer_loyalty ~ z + (1 | company), data = g, REML = TRUE)
cat("\n== lmer customer_loyalty ~ z + (1|company), REML=TRUE ==\n")
print(cbind(estimate = fixef(m_re), se = sqrt(diag(as.matrix(vcov(m_re))))))
print(as.data.frame(VarCorr(m_re))[, c("grp", "vcov")])
g$zo <- as.numeric(scale(g$engagement))
m_ov <- lm(customer_loyalty ~ zo, data = g)
show("lm customer_loyalty ~ z_overall (model-based)", m_ov)

d$z <- zwc(d$engagement, d$company)
# ---- Poisson: quality_defects with offset log(units_produced) ----
m_p <- glm(quality_defects ~ z, family = poisson, offset = log(units_produced), data = d, control = tight)
cat("\nPearson chi2/df quality_defects (Poisson):", pearson(m_p), "\n")
show("glm poisson quality_defects ~ z + offset(log(units_produced))", m_p)
show("glm poisson quality_defects, vcovCL HC1", m_p, vcovCL(m_p, cluster = ~company, type = "HC1"))

# ---- Poisson -> negative binomial: safety_incidents with offset log(hours_worked) ----
m_sp <- glm(safety_incidents ~ z, family = poisson, offset = log(hours_worked), data = d, control = tight)
cat("\nPearson chi2/df safety_incidents (Poisson):", pearson(m_sp), "\n")
m_nb <- glm.nb(safety_incidents ~ z + offset(log(hours_worked)), data = d, control = glm.control(epsilon = 1e-12, maxit = 100))
show("glm.nb safety_incidents ~ z + offset(log(hours_worked))", m_nb)
cat("theta:", m_nb$theta, " alpha = 1/theta:", 1 / m_nb$theta, " SE(theta):", m_nb$SE.theta, "\n")
show("glm.nb safety_incidents, vcovCL HC1", m_nb, vcovCL(m_nb, cluster = ~company, type = "HC1"))
# statsmodels' cluster sandwich uses the observed Hessian as bread; for the NB2 log link (not canonical) it
# differs from the expected information that sandwich::bread.glm uses. The same meat with the observed bread:
# -d2l/deta2 = theta * mu * (theta + y) / (theta + mu)^2   (theta held fixed)
X <- model.matrix(m_nb); mu <- fitted(m_nb); th <- m_nb$theta; y <- d$safety_incidents
bread_obs <- nrow(X) * solve(crossprod(X, X * (th * mu * (th + y) / (th + mu)^2)))
show("glm.nb safety_incidents, cluster sandwich with observed-information bread (meatCL HC1)", m_nb,
     sandwich(m_nb, bread. = bread_obs, meat. = meatCL(m_nb, cluster = ~company, type = "HC1")))

# ---- absenteeism: rate with exposure -> Poisson with offset log(scheduled_days) ----
m_a <- glm(absenteeism ~ z, family = poisson, offset = log(scheduled_days), data = d, control = tight)
cat("\nPearson chi2/df absenteeism (Poisson):", pearson(m_a), "\n")
show("glm poisson absenteeism ~ z + offset(log(scheduled_days))", m_a)

# ---- binomial: turnover = leavers out of headcount ----
m_b <- glm(cbind(turnover, headcount - turnover) ~ z, family = binomial, data = d, control = tight)
cat("\nPearson chi2/df turnover (binomial):", pearson(m_b), "\n")
show("glm binomial cbind(turnover, headcount - turnover) ~ z", m_b)
show("glm binomial turnover, vcovCL HC1", m_b, vcovCL(m_b, cluster = ~company, type = "HC1"))
m_qb <- glm(cbind(turnover, headcount - turnover) ~ z, family = quasibinomial, data = d, control = tight)
show("glm quasibinomial turnover", m_qb)
m_bfe <- glm(cbind(turnover, headcount - turnover) ~ z + factor(company), family = binomial, data = d, control = tight)
show("glm binomial turnover ~ z + factor(company)", m_bfe)
