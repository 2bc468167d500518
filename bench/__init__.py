"""`make bench`: the warehouse's speed at a chosen scale, side by side with the physical limit."""
