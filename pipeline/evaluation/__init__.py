"""Evaluation against gold annotations: entity and event precision and recall."""
