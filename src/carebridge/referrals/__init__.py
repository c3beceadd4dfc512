"""Closed-loop referrals (HL7 Gravity SDOH Clinical Care's Task for referral management), social prescribing too."""
