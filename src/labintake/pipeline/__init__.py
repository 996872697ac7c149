"""What happens to one file: the stages, and the runner that owns status writes, retries and timeouts."""
