"""The JSON API (django-ninja): runs in, journals and send states out, per-master API tokens."""
