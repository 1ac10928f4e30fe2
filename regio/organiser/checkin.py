"""Back office: checkin."""
