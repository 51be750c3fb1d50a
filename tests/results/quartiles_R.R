# Reference values for tests/test_quartiles.py::test_matches_r_reference
# Data: tests/data/quartiles_three_companies.csv (3 companies of 9, 13 and 20 units, engagement
# rounded to 0.1 so there are ties, rows shuffled). Independent implementation in base R of the
# documented definitions: rank within company by engagement, ties by unit id; k = floor(n/4)
# lowest = bottom, k highest = top; percent difference relative to bottom, signed so better > 0.
# Run: Rscript tests/results/quartiles_R.R > tests/results/quartiles_R.txt
d <- read.csv("tests/data/quartiles_three_companies.csv", stringsAsFactors = FALSE)
d$rate <- d$safety_incidents / d$hours_worked * 200000
per_company <- do.call(rbind, lapply(split(d, d$company), function(g) {
  g <- g[order(g$engagement, g$unit_id), ]
  n <- nrow(g); k <- n %/% 4
  bot <- g[1:k, ]; top <- g[(n - k + 1):n, ]
  data.frame(company = g$company[1], n = n, k = k,
             prod_top = mean(top$productivity), prod_bot = mean(bot$productivity),
             rate_top = mean(top$rate), rate_bot = mean(bot$rate),
             ratio_top = sum(top$safety_incidents) / sum(top$hours_worked) * 200000,
             ratio_bot = sum(bot$safety_incidents) / sum(bot$hours_worked) * 200000,
             sum_prod_top = sum(top$productivity), sum_prod_bot = sum(bot$productivity))
}))
per_company$prod_pct <- (per_company$prod_top - per_company$prod_bot) / per_company$prod_bot * 100
per_company$rate_pct <- -(per_company$rate_top - per_company$rate_bot) / per_company$rate_bot * 100
per_company$ratio_pct <- -(per_company$ratio_top - per_company$ratio_bot) / per_company$ratio_bot * 100
options(digits = 15)
print(per_company[, c("company", "n", "k", "prod_top", "prod_bot", "prod_pct", "rate_pct", "ratio_pct")])
cat("median_of_companies productivity pct:", median(per_company$prod_pct), "\n")
cat("median_of_companies productivity top, bottom, difference:", median(per_company$prod_top),
    median(per_company$prod_bot), median(per_company$prod_top - per_company$prod_bot), "\n")
cat("median_of_companies safety (mean of unit rates) pct:", median(per_company$rate_pct), "\n")
cat("median_of_companies safety (ratio of sums) pct:", median(per_company$ratio_pct), "\n")
pt <- sum(per_company$sum_prod_top) / sum(per_company$k)
pb <- sum(per_company$sum_prod_bot) / sum(per_company$k)
cat("pooled productivity top, bottom, pct:", pt, pb, (pt - pb) / pb * 100, "\n")
cat(R.version.string, "\n")
