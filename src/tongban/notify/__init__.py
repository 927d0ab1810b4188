"""Notifications: SMS, e-mail and in-app messages from templates, with a persisted delivery log."""
