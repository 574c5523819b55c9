"""Security officer designation (King County's Technical Administrator and Security Officer
Agreement; San Francisco's duties): likewise the agency's MOU current and the security officer
training done; the agency's current security officers or leads approve (one person may hold
both positions); alternates are additional security officers; the HMIS admins confirm."""
