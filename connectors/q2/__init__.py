"""OpenTimeClock Q2: users and time cards, read only, through one command URL."""
