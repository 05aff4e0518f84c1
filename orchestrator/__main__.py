from __future__ import annotations

from orchestrator.entry import main

raise SystemExit(main())
