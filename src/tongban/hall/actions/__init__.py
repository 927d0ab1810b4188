"""The hall's service layer, by subject: booking (预约) and queue (取号、叫号、窗口)."""
