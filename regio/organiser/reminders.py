"""Back office: reminders."""
