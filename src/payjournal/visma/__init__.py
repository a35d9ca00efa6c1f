"""The Visma eAccounting API client. Self-contained: no Django, no payjournal domain."""
