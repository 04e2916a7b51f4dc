"""What the ward's talk adds up to: rising topics and what deserves a notification."""
