"""The worker: the Faust app and its topology (`app`), topics, the enrich batch and its process
pool, lifecycle tables, publishing, trending counts and the repairs around faust-streaming.
"""
