"""What every backend emulator shares: the neutral seeded world each one projects into
its own shapes (`world`), injected faults and a log of calls (`faults`)."""
