"""The lasting library: identities of projects and institutions across contests (#19)."""
