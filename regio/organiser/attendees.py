"""Back office: attendees."""
