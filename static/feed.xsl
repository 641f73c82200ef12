<?xml version="1.0" encoding="utf-8"?>
<!-- Shows the Atom feed of /changes/ as a page when it is opened in a browser; feed readers ignore it. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/atom:feed">
    <html lang="{@xml:lang}">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="atom:title"/></title>
        <link rel="stylesheet" href="/static/css/site.css"/>
      </head>
      <body>
        <main id="main" class="container">
          <h1><xsl:value-of select="atom:title"/></h1>
          <p class="lead"><xsl:value-of select="atom:subtitle"/></p>
          <p>This is an Atom feed: paste its address into a feed reader to follow the changes.
            <a href="{atom:link[@rel='alternate']/@href}">See the changes on the site</a>.</p>
          <ol class="change-list">
            <xsl:for-each select="atom:entry">
              <li>
                <article class="change">
                  <p class="change-when"><time datetime="{atom:updated}"><xsl:value-of select="substring(atom:updated, 1, 10)"/></time></p>
                  <h2><a href="{atom:link/@href}"><xsl:value-of select="atom:title"/></a></h2>
                  <p><xsl:value-of select="atom:summary"/></p>
                </article>
              </li>
            </xsl:for-each>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
