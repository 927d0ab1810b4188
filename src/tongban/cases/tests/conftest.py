"""Case-handling tests build on the shared fixtures of tongban.testing: `team` (a department with
its seal and one person per role) and `promise_item` (a published 承诺件, legal 20, promised 5
working days) come from the plugin; `at`, `staff` and `submit_application` from its modules."""
