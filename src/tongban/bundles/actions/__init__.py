"""The bundles service layer, split by subject: bundle types (`types`), applying (`applying`),
the 综合窗口 (`window`) and joint status, result and deadline (`joint`)."""
