"""What every backend emulator shares: injected faults and a log of calls (`faults`)."""
