"""The DSFR web portal of every role: public pages, the personal space (task inbox and
domain actions) and one page per human step of the process.

Views stay thin: they resolve what the caller may see through the queries, hand the
cleaned data of a Django form to one service (for process steps,
``workflows.services.task_complete``, the same path as the task API) and map the
service's refusal back onto the form's fields.
"""
