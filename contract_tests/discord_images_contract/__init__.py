"""Contract tests for any Discord Images deployment.

How the package fits together (`discord-images-contract` runs pytest on these modules):

- `cli.py`: the command; options and environment variables, the summary, the final cleanup;
- `options.py`: the target (URL, tokens, modes), handed to pytest through the environment;
- `session.py`: the one HTTP session; refuses unsafe deletes, records every file created;
- `ledger.py`: the names (and ids) of files this run created, shared with the command;
- `safety.py`: makes generated requests harmless before they are sent;
- `schema.py`, `checks.py`: Schemathesis configured for this API and its failure convention;
- `client.py`, `curl.py`, `payloads.py`, `rules.py`: what the domain checks are built from;
- `test_*.py`: the checks, one test each, named in the README's table.
"""
