import logging

from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "tongban.workflow"
    verbose_name = "审批流程"

    def ready(self):
        # SpiffWorkflow logs every task state change at INFO; keep only its warnings and errors.
        for name in ("spiff", "spiff.workflow", "spiff.task", "spiff.metrics"):
            logging.getLogger(name).setLevel(logging.WARNING)
