"""The shop file: SQLCipher engine, key derivation, migrations and the instance lock."""
