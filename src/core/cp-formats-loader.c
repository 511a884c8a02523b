/* cp-formats-loader.c — finds and loads libcpformats.so on first use
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where the module is looked for, first to last:
 *   - $CP_FORMATS_MODULE_DIR alone, when set (an installed tree under test, debugging);
 *   - the build tree, for a program that runs from the build tree (the tests, the benchmarks,
 *     tools/run-app.sh);
 *   - BINDIR/../LIBDIR/credit-packet relative to the running program, so that an install
 *     moved elsewhere, and the Flatpak (/app/bin, /app/lib), find their own copy;
 *   - LIBDIR/credit-packet as configured.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gmodule.h>

#include "cp-formats.h"

G_DEFINE_QUARK (cp-formats-error-quark, cp_formats_error)

#define MODULE_NAME "libcpformats.so"

static char *
program_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);

  return exe != NULL ? g_path_get_dirname (exe) : NULL;
}

static GPtrArray *
candidate_dirs (void)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *exe_dir = program_dir ();
  const char *env = g_getenv ("CP_FORMATS_MODULE_DIR");

  if (env != NULL && *env != '\0')
    {
      g_ptr_array_add (dirs, g_strdup (env));
      return dirs;
    }
  if (exe_dir != NULL &&
      (g_str_equal (exe_dir, CP_BUILD_ROOT) ||
       g_str_has_prefix (exe_dir, CP_BUILD_ROOT G_DIR_SEPARATOR_S)))
    g_ptr_array_add (dirs, g_strdup (CP_FORMATS_BUILD_DIR));
  if (exe_dir != NULL && !g_path_is_absolute (CP_FORMATS_RELATIVE_DIR))
    g_ptr_array_add (dirs, g_build_filename (exe_dir, CP_FORMATS_RELATIVE_DIR, NULL));
  g_ptr_array_add (dirs, g_strdup (CP_FORMATS_INSTALL_DIR));
  return dirs;
}

static const CpFormats *
load (char **message)
{
  g_autoptr(GPtrArray) dirs = candidate_dirs ();
  g_autofree char *last_error = NULL;

  for (guint i = 0; i < dirs->len; i++)
    {
      g_autofree char *path = g_build_filename (g_ptr_array_index (dirs, i), MODULE_NAME, NULL);
      CpFormatsModuleGet get = NULL;
      const CpFormats *formats;
      GModule *module;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        continue;
      module = g_module_open (path, G_MODULE_BIND_LOCAL);
      if (module == NULL)
        {
          g_free (last_error);
          last_error = g_strdup (g_module_error ());
          continue;
        }
      if (!g_module_symbol (module, CP_FORMATS_MODULE_SYMBOL, (gpointer *) &get) ||
          get == NULL || (formats = get ()) == NULL ||
          formats->abi_version != CP_FORMATS_ABI_VERSION)
        {
          g_free (last_error);
          last_error = g_strdup_printf ("%s is not a module of this version", path);
          g_module_close (module);
          continue;
        }
      /* Kept for the life of the program: its GTypes stay registered. */
      g_module_make_resident (module);
      g_debug ("Loaded the formats module %s", path);
      return formats;
    }
  *message = last_error != NULL ? g_steal_pointer (&last_error)
                                : g_strdup_printf ("%s not found in %s", MODULE_NAME,
                                                   (char *) g_ptr_array_index (dirs,
                                                                               dirs->len - 1));
  return NULL;
}

/**
 * cp_formats_get:
 * @error: where to say why the module is missing
 *
 * Loads the formats module the first time, from whichever thread asks first.
 *
 * Returns: (transfer none) (nullable): the module's table, or %NULL with @error
 * (%CP_FORMATS_ERROR_NOT_INSTALLED) when it cannot be found or loaded; then every call fails
 * the same way.
 */
const CpFormats *
cp_formats_get (GError **error)
{
  static const CpFormats *formats;
  static char *message;
  static gsize loaded;

  if (g_once_init_enter (&loaded))
    {
      formats = load (&message);
      if (formats == NULL)
        g_message ("Cannot load the PDF and Excel module: %s", message);
      g_once_init_leave (&loaded, 1);
    }
  if (formats == NULL)
    g_set_error (error, CP_FORMATS_ERROR, CP_FORMATS_ERROR_NOT_INSTALLED,
                 /* Translators: %s is the technical reason (a file that is missing). */
                 _("Credit Packet cannot read PDF files or write Excel workbooks: a part of it "
                   "is missing (%s). Reinstall Credit Packet."),
                 message);
  return formats;
}
