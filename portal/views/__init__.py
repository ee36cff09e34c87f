"""The portal's views, by audience: public pages, the personal space, the task pages."""
