from __future__ import annotations

from localcloud.cli import main

raise SystemExit(main())
