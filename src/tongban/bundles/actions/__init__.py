"""The bundles service layer, split by subject: bundle types (`types`), preparing an application
(`preparing`), applying (`applying`), the 综合窗口 (`window`) and joint status, result and deadline
(`joint`)."""
