"""The hall's service layer, by subject: booking (预约), tickets (取号) and queue (叫号、窗口)."""
