"""Self-registration (``/apply/<slug>``) and the practice question of the instructions page."""
