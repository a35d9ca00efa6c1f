"""A local, faithful stand-in for Visma eAccounting: identity server and API v2."""
