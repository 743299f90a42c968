# conf-users checks crypt(3), which libxcrypt's port provides.
UPROG_PORTS_conf-users := libxcrypt
