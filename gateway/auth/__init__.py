"""Who is asking: JWTs and partner API tokens become a `Principal`; scopes and ownership
decide what it may see; impersonation and mutations leave an audit trail."""
