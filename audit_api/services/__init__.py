"""The product's policy, one module per feature: who may see what (as SQL scopes the store applies),
which state may follow which, and the orchestration of each use case (validate -> score -> flag ->
store). Services call the domain's pure rules and the store's queries; the HTTP layer and the CLI call
services. Nothing here knows of Litestar.

    access      who may see what: visits, complaints, survey responses and metrics, as `Scope`s
    accounts    users, enrolment codes, device tokens
    visits      assign, start, submit, review, evidence: the auditor's workflow
    feedback    survey responses, complaints and their clock, metrics, the privacy purge
"""
